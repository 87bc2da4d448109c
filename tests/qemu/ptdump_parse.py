"""Parse the kernel's `ptdump` and `pt` output, and model the linear map.

The model is the mapping rule of mm/pgtable.c for an unconstrained request
(the linear map): at each VA take the largest leaf the granule allows whose
VA and PA are aligned and which fits the rest of the bank; leaves that can
form a contiguous run (aligned run inside the bank) get the Contiguous bit.

table_pages() counts the table pages a set of leaves needs: the root, and
at each lower level one table per entry span of the level above that holds
a leaf at that level or below.
"""
import re

PAGE_OFFSET = 0xFFFF000000000000
GEOMETRY = {  # page shift, levels with blocks, contiguous entries per level
    "4K": (12, (1, 2), {3: 16, 2: 16}),
    "16K": (14, (2,), {3: 128, 2: 32}),
    "64K": (16, (2,), {3: 32, 2: 32}),
}
MEMSTART_ALIGN = {"4K": 1 << 30, "16K": 1 << 30, "64K": 512 << 20}

RANGE_RE = re.compile(
    r"^0x([0-9a-f]{16})-0x([0-9a-f]{16})\s+\S+\s+L(\d) (page|block)\s+(\d+) x \S+\s+"
    r"(RW|ro) (x |NX) (normal|device)( cont)?\s+pa 0x([0-9a-f]+)$")
SECTION_RE = re.compile(r"^---\[ (.+) \]---$")


def parse_ptdump(text):
    """{section name: [range dicts]} and the W+X count."""
    sections, cur, wx = {}, None, None
    for line in text.splitlines():
        line = line.strip()
        m = SECTION_RE.match(line)
        if m:
            cur = sections.setdefault(m.group(1), [])
            continue
        m = RANGE_RE.match(line)
        if m:
            assert cur is not None, line
            cur.append({
                "start": int(m.group(1), 16), "end": int(m.group(2), 16) + 1,
                "level": int(m.group(3)), "kind": m.group(4), "entries": int(m.group(5)),
                "write": m.group(6) == "RW", "exec": m.group(7) == "x ",
                "device": m.group(8) == "device", "cont": bool(m.group(9)),
                "pa": int(m.group(10), 16)})
            continue
        m = re.match(r"^W\+X pages: (\d+)", line)
        if m:
            wx = int(m.group(1))
    return sections, wx


def level_size(granule, level):
    shift = GEOMETRY[granule][0]
    return 1 << (shift + (3 - level) * (shift - 3))


def model_leaves(granule, base, size, memstart):
    """The leaves (va, level, cont) mm/pgtable.c makes for one linear-map bank."""
    shift, block_levels, cont = GEOMETRY[granule]
    va, pa, end = PAGE_OFFSET + base - memstart, base, base + size
    leaves = []
    while pa < end:
        for level in (1, 2, 3):
            sz = level_size(granule, level)
            if (level == 3 or level in block_levels) and va % sz == 0 and pa % sz == 0 \
                    and end - pa >= sz:
                break
        span = cont.get(level, 0) * sz
        if span and va % span == 0 and pa % span == 0 and end - pa >= span:
            for i in range(cont[level]):
                leaves.append((va + i * sz, level, True, sz))
            va, pa = va + span, pa + span
        else:
            leaves.append((va, level, False, sz))
            va, pa = va + sz, pa + sz
    return leaves


def merge(leaves):
    """Merge model leaves the way ptdump merges (same level and cont, adjacent)."""
    out = []
    for va, level, cont, sz in leaves:
        if out and out[-1]["end"] == va and out[-1]["level"] == level and out[-1]["cont"] == cont:
            out[-1]["end"] += sz
            out[-1]["entries"] += 1
        else:
            out.append({"start": va, "end": va + sz, "level": level, "cont": cont, "entries": 1})
    return out


START_LEVEL = {"4K": 0, "16K": 0, "64K": 1}


def table_spans(granule, ranges, level):
    """The spans (index at level - 1) that need a table at level for these ranges."""
    size = level_size(granule, level - 1)
    spans = set()
    for r in ranges:
        if r["level"] >= level:
            spans.update(range(r["start"] // size, (r["end"] - 1) // size + 1))
    return spans


def table_pages(granule, ranges):
    """Table pages a tree holding exactly these leaf ranges has (no empty tables)."""
    return 1 + sum(len(table_spans(granule, ranges, level))
                   for level in range(START_LEVEL[granule] + 1, 4))
