"""The block-by-block UTF-8 check that stands in for Arrow's field-by-field one."""

from __future__ import annotations

import random

from hotspot_desktop.core.io.csv_detect import detect_csv
from hotspot_desktop.core.io.csv_incidents import load_incidents_csv
from hotspot_desktop.core.io.csv_read import BLOCK_BYTES, _TrackedFile
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
    # Arrow reads the file in BLOCK_BYTES blocks: a 2-, 3- and 4-byte character is placed across
    # each of the first three block ends, cut after its first, first and second byte.
    names = ["Peña Blvd", "Øster Allé", "Straße 5", "中山路", "Café"]
    data = bytearray(b"case_number,date,primary_type,latitude,longitude,block\n")
    blocks: list[str] = []

    def add(block: str) -> None:
        data.extend(f"C{len(blocks):07d},2019-03-01 10:00,THEFT,41.85,-87.68,{block}\n".encode())
        blocks.append(block)

    for k, (char, cut) in enumerate([("é", 1), ("€", 1), ("😀", 2)], start=1):
        end = k * BLOCK_BYTES
        while len(data) + 200 < end:
            add(names[len(blocks) % len(names)])
        prefix = len(f"C{len(blocks):07d},2019-03-01 10:00,THEFT,41.85,-87.68,".encode())
        add("x" * (end - cut - len(data) - prefix) + char + " St")
        assert data[end - cut:end - cut + len(char.encode())] == char.encode()  # straddles the end
    for _ in range(100):
        add(names[len(blocks) % len(names)])
    path = tmp_path / "accents.csv"
    path.write_bytes(bytes(data))
    # The block check itself passes (a failure would be covered up by the parser's re-check).
    tracked = _TrackedFile(path, check_utf8=True)
    while tracked.read_buffer(BLOCK_BYTES).size:
        pass
    assert not tracked.not_utf8 and tracked.utf8_complete()
    tracked.close()
    layer, report = load_incidents_csv(path)
    assert report.rows_kept == len(blocks) and not any("cp1252" in w for w in report.warnings)
    assert layer.source.options["encoding"] == detect_csv(path).encoding
    assert layer.attributes["block"].tolist() == blocks


def test_a_file_cut_inside_its_last_character_is_not_utf8(tmp_path) -> None:
    row = "C{:07d},2019-03-01 10:00,THEFT,41.85,-87.68,Main St\n"
    text = "case_number,date,primary_type,latitude,longitude,block\n" + "".join(row.format(i) for i in range(60_000))
    path = tmp_path / "cut.csv"
    path.write_bytes(text.encode("utf-8") + b"C9999999,2019-03-01 10:00,THEFT,41.85,-87.68,Pe" + b"\xc3")
    _layer, report = load_incidents_csv(path)
    assert any("read as cp1252" in w for w in report.warnings)
    assert report.rows_kept == 60_001


def test_a_short_read_inside_a_character_is_not_the_end_of_the_file(tmp_path) -> None:
    # Network shares may return less than asked in the middle of a file: only an empty read ends it.
    path = tmp_path / "short.csv"
    path.write_bytes(("id,name\n" + "".join(f"{i},Café {i}\n" for i in range(1000))).encode("utf-8"))
    data = path.read_bytes()
    inside = data.index("é".encode()) + 1  # between the two bytes of the first é

    class ShortFirstRead:
        def __init__(self, fh) -> None:
            self.fh, self.first = fh, True

        def readinto(self, buffer) -> int:
            if self.first:
                self.first = False
                return self.fh.readinto(memoryview(buffer)[:inside])
            return self.fh.readinto(buffer)

        def close(self) -> None:
            self.fh.close()

    tracked = _TrackedFile(path, check_utf8=True)
    tracked._fh = ShortFirstRead(tracked._fh)
    parts = []
    while (block := tracked.read_buffer(1 << 16)).size:
        parts.append(block.to_pybytes())
    assert b"".join(parts) == data and not tracked.not_utf8 and tracked.utf8_complete()
    tracked.close()


def test_a_non_utf8_title_line_above_the_header_leaves_a_utf8_file_utf8(tmp_path) -> None:
    # The parser never converts the lines above the header, and did not reject the file for them
    # before the block check either: the parser's own check decides after the block check fails.
    path = tmp_path / "title.csv"
    rows = "".join(f"{i},2019-01-01,{45.5 + i * 1e-4},{-73.6 - i * 1e-4},Café {i}\n" for i in range(50))
    path.write_bytes("Rapport de crimes – Montréal\n".encode("cp1252") + f"id,date,lat,lon,lieu\n{rows}".encode())
    schema = detect_csv(path).with_changes(encoding="utf-8")
    layer, report = load_incidents_csv(path, schema=schema)
    assert layer.attributes["lieu"].iloc[0] == "Café 0" and not report.warnings
