"""The block-by-block UTF-8 check that stands in for Arrow's field-by-field one."""

from __future__ import annotations

import random

from hotspot_desktop.core.io.csv_detect import detect_csv
from hotspot_desktop.core.io.csv_incidents import load_incidents_csv
from hotspot_desktop.core.io.csv_read import BLOCK_BYTES
from hotspot_desktop.core.io.utf8_check import Utf8Check


def _valid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_agrees_with_python_on_text_cut_anywhere() -> None:
    # Characters of 1-4 bytes, damaged or truncated half the time, fed in pieces cut at random
    # (a character can straddle several pieces).
    rnd = random.Random(3)
    alphabet = "abc,;\n\"é€😀ßžÆ中"
    for trial in range(3000):
        data = bytearray("".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 40))).encode("utf-8"))
        if trial % 2 and data:
            data[rnd.randrange(len(data))] = rnd.randrange(256)
            if trial % 3 == 0:
                del data[rnd.randrange(len(data)):]
        cuts = sorted(rnd.sample(range(len(data) + 1), min(len(data) + 1, rnd.randint(0, 6))))
        check = Utf8Check()
        ok = all(check.feed(bytes(data[a:b])) for a, b in zip([0, *cuts], [*cuts, len(data)]) if b > a)
        ok = ok and check.finish()
        assert ok == _valid(bytes(data)), bytes(data)


def test_a_utf8_file_of_several_blocks_stays_utf8_with_characters_across_block_ends(tmp_path) -> None:
    names = ["Peña Blvd", "Øster Allé", "Straße 5", "中山路", "Café 😀"]
    row = "C{:07d},2019-03-01 10:00,THEFT,41.85,-87.68,{}\n"
    lines = ["case_number,date,primary_type,latitude,longitude,block\n"]
    size = 0
    i = 0
    while size < 3 * BLOCK_BYTES:  # every block boundary lands somewhere in some row
        lines.append(row.format(i, names[i % len(names)]))
        size += len(lines[-1].encode("utf-8"))
        i += 1
    path = tmp_path / "accents.csv"
    path.write_text("".join(lines), encoding="utf-8")
    layer, report = load_incidents_csv(path)
    assert report.rows_kept == i and not any("cp1252" in w for w in report.warnings)
    assert layer.source.options["encoding"] == detect_csv(path).encoding
    assert layer.attributes["block"].tolist() == [names[k % len(names)] for k in range(i)]


def test_a_file_cut_inside_its_last_character_is_not_utf8(tmp_path) -> None:
    row = "C{:07d},2019-03-01 10:00,THEFT,41.85,-87.68,Main St\n"
    text = "case_number,date,primary_type,latitude,longitude,block\n" + "".join(row.format(i) for i in range(60_000))
    path = tmp_path / "cut.csv"
    path.write_bytes(text.encode("utf-8") + b"C9999999,2019-03-01 10:00,THEFT,41.85,-87.68,Pe" + b"\xc3")
    _layer, report = load_incidents_csv(path)
    assert any("read as cp1252" in w for w in report.warnings)
    assert report.rows_kept == 60_001
