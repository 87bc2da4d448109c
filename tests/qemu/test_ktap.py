"""Unit tests of the KTAP parser (no QEMU)."""

import textwrap

import ktap


def k(text):
    return textwrap.dedent(text).lstrip("\n")


def test_flat_results_with_plan():
    rep = ktap.parse_report(k("""
        KTAP version 1
        1..3
        ok 1 first
        not ok 2 second
        ok 3 third
    """))
    assert rep.version == 1 and rep.plan == 3 and rep.problems == []
    assert [(r.number, r.name, r.ok, r.skip) for r in rep.results] == [
        (1, "first", True, False), (2, "second", False, False), (3, "third", True, False)]
    assert [r.failed for r in rep.results] == [False, True, False]


def test_skip_directive_with_reason():
    res = ktap.parse(k("""
        KTAP version 1
        1..2
        ok 1 contpte # SKIP no contiguous hint at 64K
        not ok 2 old_style # skip legacy kselftest
    """))
    assert res[0].ok and res[0].skip and res[0].directive == "SKIP"
    assert res[0].reason == "no contiguous hint at 64K"
    assert res[1].skip and not res[1].failed and res[1].reason == "legacy kselftest"


def test_other_directives_and_comments():
    res = ktap.parse(k("""
        KTAP version 1
        1..3
        not ok 1 slow # TIMEOUT
        not ok 2 broken # ERROR bad setup
        ok 3 commented # took 3 ms
    """))
    assert res[0].directive == "TIMEOUT" and res[0].failed
    assert res[1].directive == "ERROR" and res[1].reason == "bad setup"
    assert res[2].directive is None and res[2].reason == "took 3 ms" and res[2].name == "commented"


def test_diagnostics_belong_to_the_next_result():
    res = ktap.parse(k("""
        KTAP version 1
        # before anything
        1..2
        # about a: 1
        # about a: 2
        ok 1 a
        # about b
        not ok 2 b
    """))
    assert res[0].diagnostics == ["before anything", "about a: 1", "about a: 2"]
    assert res[1].diagnostics == ["about b"]


def test_nested_subtests_two_spaces():
    rep = ktap.parse_report(k("""
        KTAP version 1
        1..2
          KTAP version 1
          1..3
          ok 1 map_block
          # expected -EEXIST, got 0
          not ok 2 map_twice
          ok 3 big # SKIP 16K only
        # suite failed
        not ok 1 pgtable
        ok 2 empty_suite
    """))
    assert rep.problems == []
    suite, empty = rep.results
    assert suite.name == "pgtable" and not suite.ok and suite.plan == 3
    assert [r.name for r in suite.subtests] == ["map_block", "map_twice", "big"]
    assert suite.subtests[1].diagnostics == ["expected -EEXIST, got 0"]
    assert suite.diagnostics == ["suite failed"]
    assert empty.subtests == [] and empty.ok
    assert [n for n, _ in ktap.flatten(rep.results)] == [
        "pgtable.map_block", "pgtable.map_twice", "pgtable.big", "pgtable", "empty_suite"]
    assert ktap.failures(rep.results) == ["pgtable.map_twice"]


def test_three_levels_and_four_space_indent():
    res = ktap.parse(k("""
        KTAP version 1
        1..1
            KTAP version 1
            1..1
                KTAP version 1
                1..2
                ok 1 leaf_a
                ok 2 leaf_b
            ok 1 middle
        ok 1 top
    """))
    (top,) = res
    (middle,) = top.subtests
    assert [r.name for r in middle.subtests] == ["leaf_a", "leaf_b"]
    assert [n for n, _ in ktap.flatten(res)] == [
        "top.middle.leaf_a", "top.middle.leaf_b", "top.middle", "top"]


def test_unknown_lines_and_crlf_are_ignored():
    rep = ktap.parse_report(
        "hotmm> selftest\r\n"
        "KTAP version 1\r\n"
        "1..2\r\n"
        "memblock: reserved 0x40000000-0x40100000\r\n"
        "  KTAP version 1\r\n"
        "  1..1\r\n"
        "  vmemmap: populated 2 MiB\r\n"
        "  ok 1 populate\r\n"
        "ok 1 vmemmap\r\n"
        "random text ok 7 not a result\r\n"
        "ok 2 - dashed name\r\n"
        "hotmm> ")
    assert rep.problems == []
    assert [r.name for r in rep.results] == ["vmemmap", "dashed name"]
    assert rep.results[0].subtests[0].name == "populate"


def test_plan_and_numbering_problems_are_reported():
    rep = ktap.parse_report(k("""
        KTAP version 1
        1..3
        ok 1 a
        ok 3 c
    """))
    assert any("plan 1..3 but 2 results" in p for p in rep.problems)
    assert any("numbered 3, expected 2" in p for p in rep.problems)


def test_truncated_output_keeps_orphan_subtests():
    rep = ktap.parse_report(k("""
        KTAP version 1
        1..1
          KTAP version 1
          1..2
          ok 1 a
    """))
    assert [r.name for r in rep.results] == ["a"]
    assert any("without a parent" in p for p in rep.problems)


def test_missing_version_is_a_problem():
    rep = ktap.parse_report("1..1\nok 1 x\n")
    assert rep.results[0].name == "x"
    assert "no 'KTAP version' line" in rep.problems
