"""The ``secured`` token: a record's provenance, encrypted for a downstream service holding the key.

Format (``shared/RECORD.md``): ``base64(AES-256-CBC(PKCS#7(payload)))`` + ``;`` +
``base64(IV)``, with a fresh random 16-byte IV per token. The payload is compact
JSON ``{"originalUrl", "webUrl", "fetchedAt", "contentSha256"}``.

The key comes from ``CRAWLER_SEAL_KEY`` (base64 or 64 hex characters) or, when
that is unset, from a key file created once with a random key.

The format carries no MAC: a token altered with care can decrypt to a different
valid payload. That is why ``verify --document`` also checks the payload against
the document's URLs.

Command line::

    python -m crawler.seal verify TOKEN
    python -m crawler.seal verify --document output/technode.com/some-article-3f9a1c2b7d.md
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from crawler.publishing.files import write_once
from crawler.publishing.frontmatter import parse
from crawler.record import Record, format_instant

KEY_ENV_VAR = "CRAWLER_SEAL_KEY"
KEY_FILE = Path(".secrets/seal.key")
KEY_BYTES = 32
IV_BYTES = 16
BLOCK_BITS = 128
PAYLOAD_KEYS = ("originalUrl", "webUrl", "fetchedAt", "contentSha256")

_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")


class SealError(ValueError):
    """A malformed or foreign token, or an unusable key; the message says which."""


def _decode_key(text: str, source: str) -> bytes:
    """A 32-byte key from 64 hex characters or base64; SealError naming ``source`` otherwise."""
    text = text.strip()
    if _HEX_KEY.fullmatch(text):
        return bytes.fromhex(text)
    try:
        key = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SealError(f"{source} is neither 64 hex characters nor valid base64") from error
    if len(key) != KEY_BYTES:
        raise SealError(f"{source} holds a {len(key)}-byte key; AES-256 needs {KEY_BYTES} bytes")
    return key


def _create_key_file(key_file: Path) -> None:
    """Write a random key to ``key_file`` (0600) unless it exists; the first of racing processes wins."""
    directory = key_file.parent
    if not directory.is_dir():
        directory.mkdir(parents=True, exist_ok=True)
        os.chmod(directory, 0o700)  # mkdir's mode is narrowed by the umask only, so set it outright
    write_once(key_file, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n", mode=0o600)


def load_key(env_var: str = KEY_ENV_VAR, key_file: Path = KEY_FILE, *, create: bool = True) -> bytes:
    """The 32-byte sealing key: from ``env_var`` when it is set, else from ``key_file``.

    The key file is created (random key, base64, directory 0700, file 0600) when
    it is missing and ``create`` is true; verifying commands pass ``create=False``,
    as a fresh key could not open any existing token. A malformed value is a
    SealError naming the variable or the file.
    """
    value = os.environ.get(env_var)
    if value is not None:
        return _decode_key(value, f"environment variable {env_var}")
    key_file = Path(key_file)
    if not key_file.exists():
        if not create:
            raise SealError(f"no sealing key: {env_var} is not set and {key_file} does not exist")
        _create_key_file(key_file)
    try:
        text = key_file.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as error:
        raise SealError(f"cannot read the key file {key_file}: {error}") from error
    return _decode_key(text, f"key file {key_file}")


def _check_key(key: bytes) -> None:
    if len(key) != KEY_BYTES:
        raise SealError(f"the key has {len(key)} bytes; AES-256 needs {KEY_BYTES}")


def seal(payload: dict[str, Any], key: bytes) -> str:
    """``payload`` as a token: base64 ciphertext ``;`` base64 IV, with a fresh random IV."""
    _check_key(key)
    plain = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    padder = padding.PKCS7(BLOCK_BITS).padder()
    padded = padder.update(plain) + padder.finalize()
    iv = os.urandom(IV_BYTES)
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return f"{base64.b64encode(ciphertext).decode('ascii')};{base64.b64encode(iv).decode('ascii')}"


def _b64(part: str, what: str) -> bytes:
    try:
        return base64.b64decode(part, validate=True)
    except (binascii.Error, ValueError) as error:
        raise SealError(f"malformed token: the {what} is not valid base64") from error


def open_token(token: str, key: bytes) -> dict[str, Any]:
    """The payload sealed in ``token``: the inverse of :func:`seal`.

    SealError when the token is not ``<base64>;<base64>``, the IV is not 16
    bytes, the ciphertext is not whole AES blocks, the padding or JSON is wrong
    (the usual sign of another key or an altered token), or payload keys are missing.
    """
    _check_key(key)
    parts = token.strip().split(";")
    if len(parts) != 2:
        raise SealError(f"malformed token: expected '<base64 ciphertext>;<base64 IV>', found {len(parts) - 1} ';'")
    ciphertext, iv = _b64(parts[0], "ciphertext"), _b64(parts[1], "IV")
    if len(iv) != IV_BYTES:
        raise SealError(f"malformed token: the IV has {len(iv)} bytes, expected {IV_BYTES}")
    if not ciphertext or len(ciphertext) % (BLOCK_BITS // 8):
        raise SealError(f"malformed token: the ciphertext has {len(ciphertext)} bytes, not whole 16-byte blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    padded = decryptor.update(ciphertext) + decryptor.finalize()
    unpadder = padding.PKCS7(BLOCK_BITS).unpadder()
    try:
        plain = unpadder.update(padded) + unpadder.finalize()
    except ValueError as error:
        raise SealError("cannot open the token: bad padding (sealed with another key, or altered)") from error
    try:
        payload = json.loads(plain.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SealError(
            "cannot open the token: the payload is not JSON (sealed with another key, or altered)"
        ) from error
    if not isinstance(payload, dict):
        raise SealError("cannot open the token: the payload is not a JSON object")
    missing = [name for name in PAYLOAD_KEYS if not isinstance(payload.get(name), str)]
    if missing:
        raise SealError(f"cannot open the token: the payload lacks {', '.join(missing)}")
    return payload


def provenance(record: Record) -> dict[str, str]:
    """The payload ``secured`` carries for ``record``, in the contract's order.

    ``fetchedAt`` is empty when the record has no fetch time (built by hand, not crawled).
    """
    return {
        "originalUrl": record.original_url,
        "webUrl": record.web_url,
        "fetchedAt": format_instant(record.fetched_at) if record.fetched_at else "",
        "contentSha256": record.content_sha256,
    }


def verify_document(path: Path, key: bytes) -> dict[str, Any]:
    """Open the token in a document's ``secured`` and check its URLs are the document's."""
    try:
        record = parse(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise SealError(f"cannot read {path}: {error.strerror or error}") from error
    except ValueError as error:
        raise SealError(f"{path}: {error}") from error
    if not record.secured:
        raise SealError(f"{path}: the document has no secured token")
    payload = open_token(record.secured, key)
    for name, value in (("webUrl", record.web_url), ("originalUrl", record.original_url)):
        if payload[name] != value:
            raise SealError(f"{path}: the token's {name} {payload[name]!r} is not the document's {value!r}")
    return payload


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.seal", description="Open and check secured tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="decrypt a token and print its payload")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("token", nargs="?", help="the token: '<base64 ciphertext>;<base64 IV>'")
    source.add_argument("--document", type=Path, help="read the token from this document's secured")
    verify.add_argument("--key-file", type=Path, default=KEY_FILE, help=f"used when {KEY_ENV_VAR} is unset")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: 0 and the payload JSON on stdout, or 2 and a one-line error on stderr."""
    args = _arguments(argv)
    try:
        key = load_key(key_file=args.key_file, create=False)
        payload = verify_document(args.document, key) if args.document else open_token(args.token, key)
    except SealError as error:
        print("error: " + " ".join(str(error).split()), file=sys.stderr)  # one line, even for YAML errors
        return 2
    print(json.dumps(payload, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
