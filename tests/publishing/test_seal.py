"""The secured token: sealing, opening, keys and the verify command."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import stat
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from crawler.publishing.frontmatter import render
from crawler.seal import KEY_ENV_VAR, SealError, load_key, open_token, provenance, seal

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


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_ENV_VAR, raising=False)


def raw_token(plain: bytes, key: bytes = KEY, iv: bytes = b"\0" * 16) -> str:
    """A token around arbitrary plaintext, to reach the checks after decryption."""
    padder = padding.PKCS7(128).padder()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padder.update(plain) + padder.finalize()) + encryptor.finalize()
    return f"{base64.b64encode(ciphertext).decode()};{base64.b64encode(iv).decode()}"


# -- seal / open ------------------------------------------------------------------------------------------


def test_round_trip_and_shape() -> None:
    token = seal(PAYLOAD, KEY)
    ciphertext, iv = token.split(";")
    assert len(base64.b64decode(iv, validate=True)) == 16
    assert len(base64.b64decode(ciphertext, validate=True)) % 16 == 0
    assert open_token(token, KEY) == PAYLOAD


def test_plaintext_is_compact_json_with_pkcs7() -> None:
    ciphertext, iv = (base64.b64decode(part) for part in seal(PAYLOAD, KEY).split(";"))
    decryptor = Cipher(algorithms.AES(KEY), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    expected = json.dumps(PAYLOAD, separators=(",", ":"), ensure_ascii=False).encode()
    assert padded == expected + bytes([len(padded) - len(expected)]) * (len(padded) - len(expected))


def test_unicode_payload_round_trips() -> None:
    payload = {**PAYLOAD, "webUrl": "https://例え.jp/記事?q=“AI”"}
    assert open_token(seal(payload, KEY), KEY) == payload


def test_fresh_iv_each_time() -> None:
    tokens = {seal(PAYLOAD, KEY) for _ in range(20)}
    assert len(tokens) == 20
    assert len({token.split(";")[1] for token in tokens}) == 20


def test_foreign_key_is_a_seal_error() -> None:
    token = seal(PAYLOAD, KEY)
    with pytest.raises(SealError, match="another key"):
        open_token(token, OTHER_KEY)


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("no-separator", "expected '<base64 ciphertext>;<base64 IV>', found 0 ';'"),
        ("a;b;c", "found 2 ';'"),
        ("!!!!;AAAAAAAAAAAAAAAAAAAAAA==", "ciphertext is not valid base64"),
        ("AAAAAAAAAAAAAAAAAAAAAA==;not base64!", "IV is not valid base64"),
        ("AAAAAAAAAAAAAAAAAAAAAA==;AAAAAAAAAAA=", "IV has 8 bytes, expected 16"),
        (";AAAAAAAAAAAAAAAAAAAAAA==", "ciphertext has 0 bytes"),
        ("AAAA;AAAAAAAAAAAAAAAAAAAAAA==", "ciphertext has 3 bytes"),
    ],
)
def test_malformed_tokens(token: str, message: str) -> None:
    with pytest.raises(SealError, match="malformed token") as caught:
        open_token(token, KEY)
    assert message in str(caught.value)


def test_tampered_ciphertext_is_a_seal_error() -> None:
    ciphertext, iv = seal(PAYLOAD, KEY).split(";")
    raw = bytearray(base64.b64decode(ciphertext))
    for index in (0, len(raw) // 2, len(raw) - 1):
        tampered = bytearray(raw)
        tampered[index] ^= 0x55
        with pytest.raises(SealError, match="cannot open the token"):
            open_token(f"{base64.b64encode(bytes(tampered)).decode()};{iv}", KEY)


def test_decrypted_content_is_checked() -> None:
    with pytest.raises(SealError, match="not JSON"):
        open_token(raw_token(b"\xff\xfe not json"), KEY)
    with pytest.raises(SealError, match="not a JSON object"):
        open_token(raw_token(b"[1, 2]"), KEY)
    with pytest.raises(SealError, match="lacks fetchedAt, contentSha256"):
        open_token(raw_token(b'{"originalUrl":"a","webUrl":"b"}'), KEY)


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


def test_cli_foreign_token_exits_2_with_one_line() -> None:
    result = run_verify(seal(PAYLOAD, OTHER_KEY))
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ") and "another key" in result.stderr


def test_cli_malformed_token_exits_2() -> None:
    result = run_verify("nonsense")
    assert result.returncode == 2
    assert "malformed token" in result.stderr


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
