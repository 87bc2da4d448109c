// SPDX-License-Identifier: GPL-2.0
/*
 * The host C library's character classes, for parse_test.c to compare
 * hotmm's <ctype.h> with. A file of its own, because the test's own
 * translation unit has hotmm's static inline functions under these names.
 */
int isdigit(int c);
int isxdigit(int c);
int isspace(int c);
int isalpha(int c);
int isalnum(int c);
int isprint(int c);
int isupper(int c);
int islower(int c);
int toupper(int c);
int tolower(int c);

int host_isdigit(int c)
{
	return isdigit(c);
}

int host_isxdigit(int c)
{
	return isxdigit(c);
}

int host_isspace(int c)
{
	return isspace(c);
}

int host_isalpha(int c)
{
	return isalpha(c);
}

int host_isalnum(int c)
{
	return isalnum(c);
}

int host_isprint(int c)
{
	return isprint(c);
}

int host_isupper(int c)
{
	return isupper(c);
}

int host_islower(int c)
{
	return islower(c);
}

int host_toupper(int c)
{
	return toupper(c);
}

int host_tolower(int c)
{
	return tolower(c);
}
