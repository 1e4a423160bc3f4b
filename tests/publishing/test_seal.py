"""The secured token: sealing, opening, the MAC, the padding oracle that is gone, keys and the verify command."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import os
import random
import re
import stat
import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crawler.publishing.frontmatter import render
from crawler.seal import (
    INVALID_TOKEN,
    KEY_ENV_VAR,
    SealError,
    _strip_padding,
    derive_keys,
    load_key,
    mac_input,
    open_token,
    provenance,
    seal,
)

from .example_data import EXAMPLE_URL, example_record

REPO = Path(__file__).resolve().parents[2]
KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
PAYLOAD = {
    "originalUrl": EXAMPLE_URL,
    "webUrl": EXAMPLE_URL,
    "fetchedAt": "2021-08-30T07:00:00Z",
    "contentSha256": "ab" * 32,
}
FIELDS = tuple(PAYLOAD)
EVIL_URL = "https://evil.example/forged"
BLOCK = 16


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)


# What docs/SEAL.md specifies, written out here independently of crawler.seal.


def hkdf(key: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)


ENC_KEY = hkdf(KEY, b"newscrawler secured enc v1")
MAC_KEY = hkdf(KEY, b"newscrawler secured mac v1")


def documented_mac(values, mac_key: bytes = MAC_KEY) -> str:
    data = b"".join(len(value.encode()).to_bytes(4, "big") + value.encode() for value in values)
    return base64.b64encode(hmac.new(mac_key, data, hashlib.sha256).digest()).decode()


def compact(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def with_mac(payload: dict, mac_key: bytes = MAC_KEY) -> dict:
    return {**payload, "mac": documented_mac([payload[name] for name in FIELDS], mac_key)}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def raw_token(plain: bytes, key: bytes = ENC_KEY, iv: bytes = b"\0" * 16, *, pad: bool = True) -> str:
    """A token around arbitrary plaintext (PKCS#7-padded unless ``pad`` is false), to reach every check."""
    if pad:
        padder = padding.PKCS7(128).padder()
        plain = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return f"{b64(encryptor.update(plain) + encryptor.finalize())};{b64(iv)}"


def decrypt(token: str, key: bytes = ENC_KEY) -> bytes:
    """The padded plaintext of a token, with the raw primitives."""
    ciphertext, iv = (base64.b64decode(part) for part in token.split(";"))
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(ciphertext) + decryptor.finalize()


def unpad(padded: bytes) -> bytes:
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def old_seal(payload: dict, key: bytes = KEY) -> str:
    """A token as the project sealed it before ``mac``: four fields, AES under the seal key itself."""
    return raw_token(compact(payload), key, os.urandom(16))


def old_open(token: str, key: bytes = KEY) -> dict:
    """What the old verify accepted: it decrypted, unpadded, parsed JSON and checked the four keys."""
    payload = json.loads(unpad(decrypt(token, key)).decode("utf-8"))
    assert all(isinstance(payload.get(name), str) for name in FIELDS)
    return payload


def assert_invalid(token: str, key: bytes = KEY) -> None:
    with pytest.raises(SealError) as caught:
        open_token(token, key)
    assert str(caught.value) == INVALID_TOKEN


# -- seal / open ------------------------------------------------------------------------------------------


def test_round_trip_and_shape() -> None:
    token = seal(PAYLOAD, KEY)
    ciphertext, iv = token.split(";")
    assert len(base64.b64decode(iv, validate=True)) == 16
    assert len(base64.b64decode(ciphertext, validate=True)) % 16 == 0
    assert open_token(token, KEY) == PAYLOAD
    assert list(open_token(token, KEY)) == list(FIELDS)


def test_keys_are_derived_with_hkdf_and_the_documented_labels() -> None:
    assert derive_keys(KEY) == (ENC_KEY, MAC_KEY)
    assert len({KEY, ENC_KEY, MAC_KEY}) == 3
    assert derive_keys(OTHER_KEY) != derive_keys(KEY)


def test_plaintext_is_compact_json_with_the_documented_mac_and_pkcs7() -> None:
    padded = decrypt(seal(PAYLOAD, KEY))
    expected = compact(with_mac(PAYLOAD))
    assert padded == expected + bytes([len(padded) - len(expected)]) * (len(padded) - len(expected))
    assert list(json.loads(expected)) == [*FIELDS, "mac"]
    assert len(json.loads(expected)["mac"]) == 44


def test_mac_input_is_length_prefixed_utf8() -> None:
    assert mac_input(["a", "bc", "", "é"]) == bytes.fromhex("00000001 61 00000002 6263 00000000 00000002 c3a9")
    assert mac_input(["ab", "c", "", ""]) != mac_input(["a", "bc", "", ""])


def test_unicode_payload_round_trips() -> None:
    payload = {**PAYLOAD, "webUrl": "https://例え.jp/記事?q=“AI”", "originalUrl": 'a"\\\n\u2028😀'}
    assert open_token(seal(payload, KEY), KEY) == payload


def test_fresh_iv_each_time() -> None:
    tokens = {seal(PAYLOAD, KEY) for _ in range(20)}
    assert len(tokens) == 20
    assert len({token.split(";")[1] for token in tokens}) == 20


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({**PAYLOAD, "mac": "x"}, "exactly the keys"),
        ({name: PAYLOAD[name] for name in FIELDS[:3]}, "exactly the keys"),
        ({**PAYLOAD, "fetchedAt": None}, "fetchedAt is a NoneType"),
        ({**PAYLOAD, "webUrl": "\ud800"}, "webUrl is not encodable"),
    ],
)
def test_seal_takes_exactly_the_provenance(payload: dict, message: str) -> None:
    with pytest.raises(SealError, match=message):
        seal(payload, KEY)


def test_foreign_key_is_invalid() -> None:
    assert_invalid(seal(PAYLOAD, KEY), OTHER_KEY)


@pytest.mark.parametrize(
    "token",
    [
        "no-separator",
        "a;b;c",
        "",
        "!!!!;AAAAAAAAAAAAAAAAAAAAAA==",
        "AAAAAAAAAAAAAAAAAAAAAA==;not base64!",
        "AAAAAAAAAAAAAAAAAAAAAA==;AAAAAAAAAAA=",
        ";AAAAAAAAAAAAAAAAAAAAAA==",
        "AAAA;AAAAAAAAAAAAAAAAAAAAAA==",
        "é;é",
    ],
)
def test_malformed_tokens_are_invalid(token: str) -> None:
    assert_invalid(token)


def test_every_altered_byte_is_invalid() -> None:
    ciphertext, iv = (bytearray(base64.b64decode(part)) for part in seal(PAYLOAD, KEY).split(";"))
    for part in (ciphertext, iv):
        for index in range(len(part)):
            part[index] ^= 0x01
            assert_invalid(f"{b64(bytes(ciphertext))};{b64(bytes(iv))}")
            part[index] ^= 0x01
    assert open_token(f"{b64(bytes(ciphertext))};{b64(bytes(iv))}", KEY) == PAYLOAD


def test_truncated_and_extended_tokens_are_invalid() -> None:
    ciphertext, iv = (base64.b64decode(part) for part in seal(PAYLOAD, KEY).split(";"))
    assert_invalid(f"{b64(ciphertext[:-16])};{b64(iv)}")
    assert_invalid(f"{b64(ciphertext[16:])};{b64(ciphertext[:16])}")
    assert_invalid(f"{b64(ciphertext + ciphertext[-16:])};{b64(iv)}")


@pytest.mark.parametrize(
    "plain",
    [
        b"\xff\xfe not UTF-8",
        b"not json",
        b"[1, 2]",
        b'"a string"',
        b'{"originalUrl":"a","webUrl":"b"}',
        b"[" * 100_000,
        compact({**PAYLOAD, "fetchedAt": 5, "mac": "x"}),
        compact({**PAYLOAD, "mac": 5}),
        b'{"originalUrl":"\\ud800","webUrl":"","fetchedAt":"","contentSha256":"","mac":""}',
        b"",
    ],
)
def test_decrypted_content_is_checked(plain: bytes) -> None:
    assert_invalid(raw_token(plain))


def test_bad_padding_is_the_same_error() -> None:
    plain = compact(with_mac(PAYLOAD))
    whole_blocks = plain[: len(plain) // 16 * 16]
    for last_block in (b"A" * 15 + b"\x00", b"A" * 15 + b"\x11", b"A" * 14 + b"\x01\x02", b"\x03" * 14 + b"\x02\x03"):
        token = raw_token(whole_blocks + last_block, pad=False)
        with pytest.raises(ValueError):
            unpad(decrypt(token))
        assert_invalid(token)


def test_strip_padding_agrees_with_pkcs7() -> None:
    rng = random.Random(7)
    buffers = [bytes(rng.randrange(256) for _ in range(32)) for _ in range(300)]
    for length in range(1, 17):
        for filler in (0, length, 0x41):
            buffers.append(bytes([filler]) * (32 - length) + bytes([length]) * length)
            buffers.append(bytes([filler]) * (32 - length) + bytes([length ^ 1]) + bytes([length]) * (length - 1))
    buffers += [b"\x00" * 31 + bytes([last]) for last in range(256)]
    for padded in buffers:
        try:
            expected = (unpad(padded), True)
        except ValueError:
            expected = (padded, False)
        assert _strip_padding(padded) == expected, padded.hex()


def test_a_wrong_mac_is_rejected() -> None:
    assert open_token(raw_token(compact(with_mac(PAYLOAD))), KEY) == PAYLOAD  # the construction itself is right
    evil = {**PAYLOAD, "webUrl": EVIL_URL}
    for mac in (
        with_mac(PAYLOAD)["mac"],  # the genuine token's mac, moved onto other content
        with_mac(evil, mac_key=KEY)["mac"],  # under the seal key itself, not the derived MAC key
        with_mac(evil, mac_key=hkdf(OTHER_KEY, b"newscrawler secured mac v1"))["mac"],  # another seal key
        b64(bytes(32)),
        "",
    ):
        token = raw_token(compact({**evil, "mac": mac}))
        assert json.loads(unpad(decrypt(token)))["webUrl"] == EVIL_URL  # well padded, well formed
        assert_invalid(token)


def test_a_missing_mac_is_rejected() -> None:
    assert_invalid(raw_token(compact(PAYLOAD)))


def test_an_old_format_token_is_rejected() -> None:
    token = old_seal(PAYLOAD)
    assert old_open(token) == PAYLOAD  # what the old verify accepted
    assert_invalid(token)
    assert_invalid(raw_token(compact(PAYLOAD), ENC_KEY, os.urandom(16)))  # even under the new AES key


def test_only_the_exact_sealed_bytes_verify() -> None:
    """The right mac is not enough: the plaintext must be the bytes seal() writes (no malleable spellings)."""
    genuine = with_mac(PAYLOAD)
    assert open_token(raw_token(compact(genuine)), KEY) == PAYLOAD
    for plain in (
        json.dumps(genuine).encode(),  # spaces after the separators
        compact({"mac": genuine["mac"], **PAYLOAD}),  # keys out of order
        compact({**genuine, "extra": "x"}),
        compact(genuine).replace(b'"ab', b'"\\u0061b', 1),  # the same value, spelled with an escape
    ):
        assert {name: json.loads(plain)[name] for name in genuine} == genuine
        assert_invalid(raw_token(plain))


def test_bad_key_length_is_a_seal_error() -> None:
    with pytest.raises(SealError, match="16 bytes"):
        seal(PAYLOAD, b"k" * 16)
    with pytest.raises(SealError, match="16 bytes"):
        open_token(seal(PAYLOAD, KEY), b"k" * 16)


def test_provenance_in_contract_order() -> None:
    record = dataclasses.replace(
        example_record(),
        original_url="https://technode.com/?p=1",
        fetched_at=datetime(2021, 8, 30, 7, 0, 5, 123, tzinfo=UTC),
        content_sha256="cd" * 32,
    )
    assert list(provenance(record).items()) == [
        ("originalUrl", "https://technode.com/?p=1"),
        ("webUrl", EXAMPLE_URL),
        ("fetchedAt", "2021-08-30T07:00:05Z"),
        ("contentSha256", "cd" * 32),
    ]
    assert provenance(dataclasses.replace(record, fetched_at=None))["fetchedAt"] == ""
    assert open_token(seal(provenance(record), KEY), KEY) == provenance(record)


def test_the_documented_python_example_verifies_project_tokens() -> None:
    text = (REPO / "docs" / "SEAL.md").read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```", text, re.DOTALL)
    example: dict = {}
    exec(compile(code, "docs/SEAL.md", "exec"), example)
    verify, invalid = example["verify_secured"], example["InvalidToken"]
    payload = {**PAYLOAD, "webUrl": "https://例え.jp/記事"}
    assert verify(seal(payload, KEY), KEY) == payload
    for token, key in (
        (seal(PAYLOAD, KEY), OTHER_KEY),
        (old_seal(PAYLOAD), KEY),
        (raw_token(compact({**PAYLOAD, "webUrl": EVIL_URL, "mac": with_mac(PAYLOAD)["mac"]})), KEY),
        (raw_token(b"[1]"), KEY),
        ("nonsense", KEY),
    ):
        with pytest.raises(invalid, match="the token is not valid"):
            verify(token, key)


# -- the padding oracle -----------------------------------------------------------------------------------
#
# The standard CBC padding-oracle forgery (Vaudenay 2002): with an oracle that says whether a token's
# padding is valid, D_K(C) of any block C is recovered byte by byte by varying the block before it, and
# choosing each previous block as D_K(C) XOR the wanted plaintext makes the cipher decrypt to anything.
# The old verify was such an oracle ("bad padding" against every other answer).

Oracle = Callable[[str], bool]


class AttackFailed(Exception):
    pass


class PaddingOracle:
    """The old leak, modelled with the raw primitives: True when a token's padding is valid under ``aes_key``."""

    def __init__(self, aes_key: bytes):
        self.aes_key = aes_key
        self.queries = 0

    def __call__(self, token: str) -> bool:
        self.queries += 1
        try:
            unpad(decrypt(token, self.aes_key))
        except ValueError:
            return False
        return True


def intermediate(block: bytes, oracle: Oracle) -> bytes:
    """D_K(block), asking ``oracle`` about two-block tokens ``previous || block``."""
    found = bytearray(BLOCK)
    for position in reversed(range(BLOCK)):
        pad = BLOCK - position
        previous = bytearray(BLOCK)
        for later in range(position + 1, BLOCK):
            previous[later] = found[later] ^ pad
        for guess in range(256):
            previous[position] = guess
            if not oracle(f"{b64(block)};{b64(bytes(previous))}"):
                continue
            if pad == 1:  # the plaintext may have ended in 02 02 (or longer) by chance: change the byte before
                previous[position - 1] ^= 0xFF
                confirmed = oracle(f"{b64(block)};{b64(bytes(previous))}")
                previous[position - 1] ^= 0xFF
                if not confirmed:
                    continue
            found[position] = guess ^ pad
            break
        else:
            raise AttackFailed(f"no value of byte {position} gives valid padding: the oracle tells nothing")
    return bytes(found)


def forge(plaintext: bytes, oracle: Oracle, seed: int = 0) -> str:
    """A token that decrypts to ``plaintext`` under the oracle's key, made without the key."""
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plaintext) + padder.finalize()
    chain = [random.Random(seed).randbytes(BLOCK)]
    for start in reversed(range(0, len(padded), BLOCK)):
        wanted = padded[start : start + BLOCK]
        chain.insert(0, bytes(a ^ b for a, b in zip(intermediate(chain[0], oracle), wanted, strict=True)))
    return f"{b64(b''.join(chain[1:]))};{b64(chain[0])}"


def test_the_old_padding_oracle_forged_a_token_that_the_new_verify_rejects() -> None:
    """The issue's attack, against the old behaviour: AES under the seal key, 'bad padding' told apart."""
    oracle = PaddingOracle(KEY)
    forged_payload = {"originalUrl": EVIL_URL, "webUrl": EVIL_URL, "fetchedAt": "", "contentSha256": ""}
    forged = forge(compact(forged_payload), oracle)
    assert old_open(forged) == forged_payload  # the old verify accepted it
    assert oracle.queries < 256 * 16 * 8 + 8  # within the budget of 8 blocks
    assert_invalid(forged)


def test_even_a_padding_oracle_on_the_new_cipher_cannot_forge_a_token() -> None:
    """Suppose the new AES decryption still leaked padding: the forged plaintext is exactly the attacker's
    choice, but without the MAC key its mac is wrong, and the new verify rejects it."""
    oracle = PaddingOracle(ENC_KEY)
    genuine_mac = json.loads(unpad(decrypt(seal(PAYLOAD, KEY))))["mac"]  # the best an attacker can copy
    forged_payload = {
        "originalUrl": EVIL_URL,
        "webUrl": EVIL_URL,
        "fetchedAt": "",
        "contentSha256": "",
        "mac": genuine_mac,
    }
    forged = forge(compact(forged_payload), oracle, seed=1)
    assert unpad(decrypt(forged)) == compact(forged_payload)
    assert_invalid(forged)


def test_the_new_verify_is_no_padding_oracle() -> None:
    """The attack's first step against a real token: the old model tells valid padding apart, the new verify
    gives the one message to all 256 variants, and the attack driven by its messages stops at once."""
    ciphertext = base64.b64decode(seal(PAYLOAD, KEY).split(";")[0])
    previous, last = ciphertext[-32:-16], ciphertext[-16:]
    old, messages = PaddingOracle(ENC_KEY), set()
    answers = set()
    for guess in range(256):
        token = f"{b64(last)};{b64(previous[:15] + bytes([guess]))}"
        answers.add(old(token))
        with pytest.raises(SealError) as caught:
            open_token(token, KEY)
        messages.add(str(caught.value))
    assert answers == {True, False}
    assert messages == {INVALID_TOKEN}

    def new_oracle(token: str) -> bool:
        try:
            open_token(token, KEY)
        except SealError as error:
            return str(error) != INVALID_TOKEN
        return True

    with pytest.raises(AttackFailed):
        intermediate(last, new_oracle)


# -- keys -------------------------------------------------------------------------------------------------


def test_key_file_created_private_and_reused(tmp_path: Path) -> None:
    key_file = tmp_path / ".secrets" / "seal.key"
    key = load_key(key_file=key_file)
    assert len(key) == 32
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.parent.stat().st_mode) == 0o700
    assert base64.b64decode(key_file.read_text()) == key
    assert load_key(key_file=key_file) == key
    assert os.listdir(key_file.parent) == ["seal.key"]


def test_racing_processes_agree_on_one_key(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "seal.key"
    with ThreadPoolExecutor(max_workers=8) as pool:
        keys = set(pool.map(lambda _: load_key(key_file=key_file), range(32)))
    assert len(keys) == 1
    assert os.listdir(key_file.parent) == ["seal.key"]


def test_missing_key_file_not_created_when_asked(tmp_path: Path) -> None:
    key_file = tmp_path / "seal.key"
    with pytest.raises(SealError, match="no sealing key"):
        load_key(key_file=key_file, create=False)
    assert not key_file.exists()


def test_bad_key_file_is_a_seal_error(tmp_path: Path) -> None:
    key_file = tmp_path / "seal.key"
    key_file.write_text(base64.b64encode(b"short").decode())
    with pytest.raises(SealError, match=f"key file {key_file} holds a 5-byte key"):
        load_key(key_file=key_file)


@pytest.mark.parametrize("encode", [lambda key: base64.b64encode(key).decode(), lambda key: key.hex().upper()])
def test_environment_key_wins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encode) -> None:
    monkeypatch.setenv(KEY_ENV_VAR, encode(KEY))
    key_file = tmp_path / "seal.key"
    assert load_key(key_file=key_file) == KEY
    assert not key_file.exists()


@pytest.mark.parametrize("value", ["", "not base64!", base64.b64encode(b"x" * 31).decode(), "ab" * 31])
def test_malformed_environment_key_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("MY_SEAL_KEY", value)
    with pytest.raises(SealError, match="environment variable MY_SEAL_KEY"):
        load_key(env_var="MY_SEAL_KEY")


# -- the command ------------------------------------------------------------------------------------------


def run_verify(*args: str, key: bytes | None = KEY, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    env = {key_: value for key_, value in os.environ.items() if key_ != KEY_ENV_VAR}
    env["PYTHONPATH"] = str(REPO)
    if key is not None:
        env[KEY_ENV_VAR] = base64.b64encode(key).decode()
    return subprocess.run(
        [sys.executable, "-m", "crawler.seal", "verify", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
    )


def test_cli_verify_token() -> None:
    result = run_verify(seal(PAYLOAD, KEY))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == PAYLOAD


def test_cli_every_invalid_token_gets_the_same_answer() -> None:
    bad_padding = raw_token(b"A" * 31 + b"\x00", pad=False)
    not_json = raw_token(b"\x00 valid padding, not JSON")
    without_mac = raw_token(compact(PAYLOAD))
    with pytest.raises(ValueError):
        unpad(decrypt(bad_padding))
    assert unpad(decrypt(not_json)) == b"\x00 valid padding, not JSON"
    assert json.loads(unpad(decrypt(without_mac))) == PAYLOAD
    tokens = {
        "bad padding": bad_padding,
        "valid padding, not JSON": not_json,
        "JSON without mac": without_mac,
        "wrong mac": raw_token(compact({**PAYLOAD, "webUrl": EVIL_URL, "mac": with_mac(PAYLOAD)["mac"]})),
        "old format": old_seal(PAYLOAD),
        "another key": seal(PAYLOAD, OTHER_KEY),
        "malformed": "nonsense",
    }
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip(tokens, pool.map(run_verify, tokens.values()), strict=True))
    answers = {(result.returncode, result.stdout, result.stderr.encode()) for result in results.values()}
    assert answers == {(2, "", f"error: {INVALID_TOKEN}\n".encode())}, results


def test_cli_document(tmp_path: Path) -> None:
    record = example_record()
    record.secured = seal(provenance(record), KEY)
    document = tmp_path / "doc.md"
    document.write_text(render(record), encoding="utf-8")
    result = run_verify("--document", str(document))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["webUrl"] == EXAMPLE_URL


def test_cli_document_with_someone_elses_token(tmp_path: Path) -> None:
    record = example_record()
    record.secured = seal({**provenance(record), "webUrl": "https://elsewhere.example/"}, KEY)
    document = tmp_path / "doc.md"
    document.write_text(render(record), encoding="utf-8")
    result = run_verify("--document", str(document))
    assert result.returncode == 2
    assert "webUrl" in result.stderr and "not the document's" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"), [(None, "cannot read"), ("not a document", "malformed document"), ("", "malformed")]
)
def test_cli_bad_document(tmp_path: Path, content: str | None, message: str) -> None:
    document = tmp_path / "doc.md"
    if content is not None:
        document.write_text(content, encoding="utf-8")
    result = run_verify("--document", str(document))
    assert result.returncode == 2
    assert message in result.stderr and result.stderr.count("\n") == 1


def test_cli_key_file_flag_and_no_key(tmp_path: Path) -> None:
    key_file = tmp_path / "seal.key"
    token = seal(PAYLOAD, KEY)
    missing = run_verify(token, "--key-file", str(key_file), key=None, cwd=tmp_path)
    assert missing.returncode == 2 and "no sealing key" in missing.stderr
    assert not key_file.exists()
    key_file.write_text(base64.b64encode(KEY).decode() + "\n")
    found = run_verify(token, "--key-file", str(key_file), key=None, cwd=tmp_path)
    assert found.returncode == 0, found.stderr


def test_cli_document_with_an_old_token(tmp_path: Path) -> None:
    record = example_record()
    record.secured = old_seal(provenance(record))
    document = tmp_path / "doc.md"
    document.write_text(render(record), encoding="utf-8")
    result = run_verify("--document", str(document))
    assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {INVALID_TOKEN}\n")
