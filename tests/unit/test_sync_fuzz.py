"""Over a thousand damaged, forged and hostile bundles: every one is refused, with a reason in
one line, and the county's database file stays byte for byte as it was.

The mutations: flipped bytes and truncations of a real bundle (anyone can make those); and,
made with the real keys (a station's key in the wrong hands, or a faulty program): chains
reordered, replayed or cut, rows changed after they were hashed, records that fail their
checks, a zip bomb, path traversal and other forbidden part names, an oversized manifest, a
wrong schema, a bundle signed by an unenrolled key, one encrypted for another county, one
whose manifest names another station.
"""

from __future__ import annotations

import hashlib
import io
import json
import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from caseworker.store import changelog
from caseworker.sync import bundle, county, crypto, keys
from caseworker.sync.container import MANIFEST, SIGNATURE, framed_header
from caseworker.sync.export import CHANGES_MEMBER
from tests.helpers import make_id, register
from tests.sync_world import World, station_code

CASES_PER_KIND = {
    "flip": 420, "truncate": 150, "reorder": 40, "replay": 40, "cut": 30, "rehash": 40,
    "invalid_record": 40, "bomb": 30, "traversal": 40, "big_manifest": 30, "schema": 30,
    "unenrolled": 30, "other_county": 30, "impostor": 30, "extra_part": 30,
}  # fmt: skip
#: What the reason names, for the bundles made with real keys (the others never decrypt).
EXPECTED = {
    "reorder": ("out of order", "chain"), "replay": ("out of order", "chain"),
    "cut": ("range", "out of order", "chain"), "rehash": ("changed after it was written",),
    "invalid_record": ("is not valid", "does not have"),
    "bomb": ("larger than allowed", "do not match its manifest", "zip bomb"),
    "traversal": ("forbidden name",), "big_manifest": ("larger than allowed",),
    "schema": ("schema",), "unenrolled": ("not enrolled",), "other_county": ("another key",),
    "impostor": ("signed by the key of",), "extra_part": ("do not match its manifest",),
}  # fmt: skip


@dataclass
class Bench:
    world: World
    valid: bytes  # a real bundle the county has not seen
    county_key: str
    county_pair: crypto.KeyPair
    station_pair: crypto.KeyPair
    station_key: str
    county_public: crypto.PublicKeys
    peers: dict[str, Any]

    def members(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The valid bundle's manifest and rows, opened with the county's key."""
        opened = bundle.open_sealed(self.valid, self.county_key, self.county_pair, self.peers.get)
        rows = [json.loads(line) for line in opened.members[CHANGES_MEMBER].splitlines()]
        manifest = {k: v for k, v in opened.manifest.items() if k != "members"}
        return manifest, rows


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bench]:
    world = World(tmp_path_factory.mktemp("fuzz"))
    store = world.add_station(1)
    register(store, "张三", make_id(seq=131), village="红旗村")
    first = world.export(station_code(1))
    assert first is not None
    assert world.import_(first)[0].status == county.APPLIED
    world.receipt(station_code(1))
    other = register(store, "古丽", make_id(seq=142), phone="13900001111")
    register(store, "买买提·艾力", make_id(seq=153), village="红旗村")
    with store.transaction() as session:
        from caseworker.registry import persons

        persons.change(session, other.id, notes="复查", address="南湖路1号")
        persons.tombstone(session, other.id)
    valid = world.export(station_code(1))
    assert valid is not None
    with world.county.reading() as session:
        county_key, county_pair = keys.own_keys(world.keys, session)
    with store.reading() as session:
        station_key, station_pair = keys.own_keys(world.keys, session)
    public = crypto.CW1.public(county_pair)
    yield Bench(
        world, valid.read_bytes(), county_key, county_pair, station_pair, station_key, public,
        county.enrolled(world.county),
    )  # fmt: skip
    world.close()


def _seal(bench: Bench, manifest: dict[str, Any], members: dict[str, bytes], *,
          signer: crypto.KeyPair | None = None, to: crypto.PublicKeys | None = None,
          names: dict[str, bytes] | None = None, raw_manifest: bytes | None = None) -> bytes:  # fmt: skip
    """A bundle made by hand: ``members`` listed in the manifest and signed; ``names`` put in
    the archive besides, unlisted."""
    signer = signer or bench.station_pair
    manifest = {
        **manifest,
        "members": {n: {"sha256": crypto.sha256(d), "size": len(d)} for n, d in members.items()},
    }
    manifest_bytes = raw_manifest or bundle.canonical_json(manifest)
    signature = crypto.CW1.sign(signer, manifest_bytes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {
            MANIFEST: manifest_bytes,
            SIGNATURE: signature,
            **members,
            **(names or {}),
        }.items():
            archive.writestr(name, data)
    sender = crypto.CW1.public(signer).key_id

    def header(ephemeral: bytes, nonce: bytes) -> bytes:
        return framed_header(
            {"format": "caseworker-bundle", "version": 1, "suite": crypto.CW1.name,
             "from": sender, "to": (to or bench.county_public).key_id,
             "epk": crypto.b64(ephemeral), "nonce": crypto.b64(nonce)}
        )  # fmt: skip

    aad, sealed = crypto.CW1.seal(to or bench.county_public, buffer.getvalue(), header)
    return aad + sealed.ciphertext


def _lines(rows: list[dict[str, Any]]) -> bytes:
    return b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        for r in rows
    )


def _rechain(rows: list[dict[str, Any]], first_prev: str) -> list[dict[str, Any]]:
    prev = first_prev
    for row in rows:
        row["prev_hash"] = prev
        if not row.get("stub"):
            row["hash"] = changelog.digest(row)
        prev = row["hash"]
    return rows


def _changes(
    bench: Bench, manifest: dict[str, Any], rows: list[dict[str, Any]], **kw: Any
) -> bytes:
    manifest = dict(manifest)
    manifest["last_hash"] = rows[-1]["hash"] if rows else manifest["last_hash"]
    return _seal(bench, manifest, {CHANGES_MEMBER: _lines(rows)}, **kw)


def _mutations(bench: Bench, rng: random.Random) -> Iterator[tuple[str, bytes]]:
    valid = bench.valid
    manifest, rows = bench.members()
    whole = [i for i, r in enumerate(rows) if not r.get("stub")]
    for _ in range(CASES_PER_KIND["flip"]):
        data = bytearray(valid)
        for _flip in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        yield "flip", bytes(data)
    for _ in range(CASES_PER_KIND["truncate"]):
        yield "truncate", valid[: rng.randrange(len(valid))]
    for _ in range(CASES_PER_KIND["reorder"]):
        copy = [dict(r) for r in rows]
        i, j = rng.sample(range(len(copy)), 2)
        copy[i], copy[j] = copy[j], copy[i]
        yield "reorder", _changes(bench, manifest, copy)
    for _ in range(CASES_PER_KIND["replay"]):
        copy = [dict(r) for r in rows]
        k = rng.randrange(len(copy))
        copy.insert(k + 1, dict(copy[k]))  # a row again (its seq repeats)
        changed = dict(manifest, seq_to=manifest["seq_to"] + 1)
        yield "replay", _changes(bench, changed, copy)
    for _ in range(CASES_PER_KIND["cut"]):
        copy = [dict(r) for r in rows]
        del copy[rng.randrange(1, len(copy))]  # a row missing in the middle or at the end
        yield "cut", _changes(bench, manifest, copy)
    for _ in range(CASES_PER_KIND["rehash"]):
        copy = [dict(r) for r in rows]
        k = rng.choice(whole)
        copy[k]["new_value"] = (copy[k]["new_value"] or "") + "x"  # changed, hash left as it was
        yield "rehash", _changes(bench, manifest, copy)
    bad_values: list[Callable[[dict[str, Any]], None]] = [
        lambda v: v.update(id_number="650102199001011310"),  # a wrong check digit
        lambda v: v.update(birth_date="1990-13-45"),
        lambda v: v.update(name="名" * 41),
        lambda v: v.update(deleted="maybe"),
        lambda v: v.update(village_id="not-a-uuid"),
        lambda v: v.update(village_id="00000000-0000-4000-8000-000000000000"),  # no such village
        lambda v: v.pop("phone"),
        lambda v: v.update(unknown_field="x"),
    ]
    person_rows = [i for i in whole if rows[i]["entity"] == "person" and rows[i]["field"] == "*"]
    for n in range(CASES_PER_KIND["invalid_record"]):
        copy = [dict(r) for r in rows]
        k = rng.choice(person_rows)
        values = json.loads(copy[k]["new_value"])
        bad_values[n % len(bad_values)](values)
        copy[k]["new_value"] = json.dumps(
            values, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        yield "invalid_record", _changes(bench, manifest, _rechain(copy, manifest["prev_hash"]))
    for n in range(CASES_PER_KIND["bomb"]):
        size = (8 << 20) + n * (1 << 20)
        bomb = b"\n" * size
        if n % 2:  # signed with a small declared size: the stream is cut at the declared size
            yield "bomb", _bomb(bench, manifest, rows, bomb)
        else:  # the bomb as an unsigned extra part
            yield (
                "bomb",
                _seal(bench, manifest, {CHANGES_MEMBER: _lines(rows)}, names={"extra": bomb}),
            )
    traversal = ["../evil.jsonl", "/etc/passwd", "a/../../b", "..\\win.ini", "changes.jsonl/..",
                 "C:\\x", "./changes.jsonl", "dir/changes.jsonl", "CHANGES.JSONL", "链接.txt"]  # fmt: skip
    for n in range(CASES_PER_KIND["traversal"]):
        name = traversal[n % len(traversal)]
        yield "traversal", _seal(bench, manifest, {CHANGES_MEMBER: _lines(rows), name: b"{}"})
    for n in range(CASES_PER_KIND["big_manifest"]):
        padded = dict(manifest, padding="x" * ((64 << 10) + n * 997))
        yield "big_manifest", _changes(bench, padded, rows)
    for n in range(CASES_PER_KIND["schema"]):
        changed = dict(manifest, schema_revision=f"99{n:02d}")
        yield "schema", _changes(bench, changed, rows)
    stranger = crypto.CW1.generate()
    for _ in range(CASES_PER_KIND["unenrolled"]):
        faked = dict(
            manifest, **{"from": dict(manifest["from"], key_id=crypto.CW1.public(stranger).key_id)}
        )
        yield "unenrolled", _changes(bench, faked, rows, signer=stranger)
    other_county = crypto.CW1.public(crypto.CW1.generate())
    for _ in range(CASES_PER_KIND["other_county"]):
        yield "other_county", _changes(bench, manifest, rows, to=other_county)
    for n in range(CASES_PER_KIND["impostor"]):
        faked = dict(manifest, **{"from": dict(manifest["from"], code=station_code(2 + n % 5))})
        yield "impostor", _changes(bench, faked, rows)
    for _ in range(CASES_PER_KIND["extra_part"]):
        yield (
            "extra_part",
            _seal(bench, manifest, {CHANGES_MEMBER: _lines(rows)}, names={"more.json": b"{}"}),
        )


def _bomb(bench: Bench, manifest: dict[str, Any], rows: list[dict[str, Any]], bomb: bytes) -> bytes:
    """A signed bundle whose changes part is far larger than its manifest says."""
    real = _lines(rows)
    listed = {"members": {CHANGES_MEMBER: {"sha256": crypto.sha256(real), "size": len(real)}}}
    manifest_bytes = bundle.canonical_json({**manifest, **listed})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, manifest_bytes)
        archive.writestr(SIGNATURE, crypto.CW1.sign(bench.station_pair, manifest_bytes))
        archive.writestr(CHANGES_MEMBER, real + bomb)

    def header(ephemeral: bytes, nonce: bytes) -> bytes:
        return framed_header(
            {"format": "caseworker-bundle", "version": 1, "suite": crypto.CW1.name,
             "from": bench.station_key, "to": bench.county_public.key_id,
             "epk": crypto.b64(ephemeral), "nonce": crypto.b64(nonce)}
        )  # fmt: skip

    aad, sealed = crypto.CW1.seal(bench.county_public, buffer.getvalue(), header)
    return aad + sealed.ciphertext


def _file_state(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    journal = path.with_name(path.name + "-journal")
    return digest + ("+journal" if journal.exists() else "")


def test_over_a_thousand_hostile_bundles_are_refused_and_change_nothing(bench: Bench) -> None:
    store = bench.world.county
    path = bench.world.county_path
    before = _file_state(path)
    rng = random.Random(2026)
    kinds: dict[str, int] = {}
    total = 0
    for kind, data in _mutations(bench, rng):
        outcome = county.import_bytes(
            store, bench.county_key, bench.county_pair, data, f"{kind}.cwb", peers=bench.peers
        )
        assert outcome.status == county.REFUSED, (kind, outcome)
        assert outcome.message, (kind, outcome)
        assert "\n" not in outcome.message, (kind, outcome)
        if kind in EXPECTED:
            assert any(word in outcome.message for word in EXPECTED[kind]), (kind, outcome)
        assert _file_state(path) == before, kind
        kinds[kind] = kinds.get(kind, 0) + 1
        total += 1
    assert total >= 1000
    assert set(kinds) == set(CASES_PER_KIND)
    # and the real bundle, untouched, still goes in
    outcome = county.import_bytes(
        store, bench.county_key, bench.county_pair, bench.valid, "valid.cwb", peers=bench.peers
    )
    assert outcome.status == county.APPLIED, outcome
