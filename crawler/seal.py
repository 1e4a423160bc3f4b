"""The ``secured`` token: a record's provenance, encrypted and authenticated for a downstream service holding the key.

Format (``shared/RECORD.md``; the full specification, with the steps a
downstream service implements, is ``docs/SEAL.md``)::

    base64(AES-256-CBC(PKCS#7(payload))) ";" base64(IV)

with a fresh random 16-byte IV per token. The payload is compact JSON
``{"originalUrl", "webUrl", "fetchedAt", "contentSha256", "mac"}`` in that
order, where ``mac`` is base64(HMAC-SHA256) over the other four fields in a
canonical, length-prefixed form (:func:`mac_input`).

Two keys are derived from the 32-byte seal key with HKDF-SHA256 (no salt,
32 bytes each), one per purpose: the AES key with info ``ENC_INFO`` and the
HMAC key with info ``MAC_INFO``. The seal key itself never touches AES or HMAC.

The key comes from ``CRAWLER_SEAL_KEY`` (base64 or 64 hex characters) or, when
that is unset, from a key file created once with a random key.

Verification (:func:`open_token`) admits only the exact bytes :func:`seal`
writes, with the right ``mac``. Every token that fails, for whatever reason
(bad base64, IV length, partial blocks, padding, UTF-8, JSON, keys, ``mac``,
an old token without one), is the same SealError with the same message
(``INVALID_TOKEN``): there is no padding or format oracle to ask. The checks
after decryption all run for every token and are combined at the end.
Key errors (no key, a malformed key) are the operator's and keep their own messages.

Command line::

    python -m crawler.seal verify TOKEN
    python -m crawler.seal verify --document output/technode.com/some-article-3f9a1c2b7d.md
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from crawler.publishing.files import write_once
from crawler.publishing.frontmatter import parse
from crawler.record import Record, format_instant

logger = logging.getLogger(__name__)

KEY_ENV_VAR = "CRAWLER_SEAL_KEY"
KEY_FILE = Path(".secrets/seal.key")
KEY_BYTES = 32
IV_BYTES = 16
BLOCK_BYTES = 16
BLOCK_BITS = 8 * BLOCK_BYTES
# The provenance a token carries (what open_token returns), and the payload's keys in order.
PAYLOAD_KEYS = ("originalUrl", "webUrl", "fetchedAt", "contentSha256")
TOKEN_KEYS = (*PAYLOAD_KEYS, "mac")
# HKDF-SHA256 info labels (salt None, length 32): one derived key per purpose (docs/SEAL.md).
ENC_INFO = b"newscrawler secured enc v1"
MAC_INFO = b"newscrawler secured mac v1"
# The one message for every token that does not verify, whatever the reason.
INVALID_TOKEN = "the token is not valid: malformed, altered, or sealed with another key"

_HEX_KEY = re.compile(r"[0-9a-fA-F]{64}")
_NO_FIELDS = ("", "", "", "")


class SealError(ValueError):
    """An invalid token (always ``INVALID_TOKEN``), an unusable key, or a payload seal() cannot take."""


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
    if write_once(key_file, base64.b64encode(os.urandom(KEY_BYTES)) + b"\n", mode=0o600):
        logger.warning("Created a new seal key in %s: keep it (every secured token needs it to be opened)", key_file)


def check_key_for_store(env_var: str, key_file: Path, stored_records: Callable[[], int], store: str) -> None:
    """SealError when there is no key (``env_var`` unset, ``key_file`` missing) but the store holds records.

    Those records were sealed with a key that is gone (or that lives in another folder): a new
    one, which :func:`load_key` would create, could open none of their tokens, so the crawl must
    not start. ``stored_records`` is only asked when the key is missing.
    """
    if os.environ.get(env_var) is not None or Path(key_file).exists():
        return
    count = stored_records()
    if count:
        raise SealError(
            f"seal key {key_file} is missing and {env_var} is not set, but the record store {store} holds "
            f"{count} records sealed with a key: restore the key file or set {env_var} (a new key would open none)"
        )


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


def derive_keys(key: bytes) -> tuple[bytes, bytes]:
    """(AES key, HMAC key): HKDF-SHA256 of the seal key, no salt, 32 bytes, info ``ENC_INFO`` / ``MAC_INFO``."""
    _check_key(key)

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=info).derive(key)

    return derive(ENC_INFO), derive(MAC_INFO)


def mac_input(fields: Sequence[str]) -> bytes:
    """The canonical bytes the MAC covers: for each of the four provenance values in ``PAYLOAD_KEYS``
    order, its UTF-8 length as 4 bytes big-endian, then its UTF-8 bytes. No separators, no names."""
    parts = []
    for value in fields:
        data = value.encode("utf-8")
        parts.append(len(data).to_bytes(4, "big") + data)
    return b"".join(parts)


def _payload_bytes(fields: Sequence[str], mac_key: bytes) -> bytes:
    """The exact plaintext seal() writes for ``fields``: compact JSON, contract order, ``mac`` last."""
    mac = hmac.new(mac_key, mac_input(fields), hashlib.sha256).digest()
    payload = {**dict(zip(PAYLOAD_KEYS, fields, strict=True)), "mac": base64.b64encode(mac).decode("ascii")}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _fields_to_seal(payload: Mapping[str, str]) -> tuple[str, ...]:
    if set(payload) != set(PAYLOAD_KEYS):
        raise SealError(f"cannot seal: the payload must have exactly the keys {', '.join(PAYLOAD_KEYS)}")
    fields = tuple(payload[name] for name in PAYLOAD_KEYS)
    for name, value in zip(PAYLOAD_KEYS, fields, strict=True):
        if not isinstance(value, str):
            raise SealError(f"cannot seal: {name} is a {type(value).__name__}, not a string")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise SealError(f"cannot seal: {name} is not encodable as UTF-8") from error
    return fields


def seal(payload: Mapping[str, str], key: bytes) -> str:
    """The token for a provenance ``payload`` (the four ``PAYLOAD_KEYS``, strings): ``mac`` added,
    encrypted with a fresh random IV; base64 ciphertext ``;`` base64 IV."""
    enc_key, mac_key = derive_keys(key)
    plain = _payload_bytes(_fields_to_seal(payload), mac_key)
    padder = padding.PKCS7(BLOCK_BITS).padder()
    padded = padder.update(plain) + padder.finalize()
    iv = os.urandom(IV_BYTES)
    encryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).encryptor()
    ciphertext = encryptor.update(padded) + encryptor.finalize()
    return f"{base64.b64encode(ciphertext).decode('ascii')};{base64.b64encode(iv).decode('ascii')}"


def _split(token: str) -> tuple[bytes, bytes] | None:
    """(ciphertext, IV) when ``token`` has the token's shape, else None.

    Everything checked here is visible in the token itself, so failing early
    tells its sender nothing they did not know; the message is still the common one.
    """
    parts = token.strip().split(";")
    if len(parts) != 2:
        return None
    try:
        ciphertext, iv = (base64.b64decode(part, validate=True) for part in parts)
    except (binascii.Error, ValueError):
        return None
    if len(iv) != IV_BYTES or not ciphertext or len(ciphertext) % BLOCK_BYTES:
        return None
    return ciphertext, iv


def _strip_padding(padded: bytes) -> tuple[bytes, bool]:
    """(plaintext, True) for valid PKCS#7 padding, else (``padded``, False).

    Looks at the same 16 bytes with the same operations whatever they hold: no
    branch on the padding (``padded`` is a non-empty multiple of 16 bytes).
    """
    pad = padded[-1]
    difference = 0
    for offset in range(BLOCK_BYTES):
        difference |= (padded[-1 - offset] ^ pad) * (offset < pad)
    valid = (pad > 0) & (pad <= BLOCK_BYTES) & (difference == 0)
    return padded[: len(padded) - pad * valid], valid


def _fields_in(plain: bytes) -> tuple[str, ...] | None:
    """The four provenance values of a decrypted payload, or None when it does not have them as strings."""
    try:
        payload = json.loads(plain.decode("utf-8"))
    except (ValueError, RecursionError):  # not UTF-8 (UnicodeDecodeError), not JSON, absurdly nested
        return None
    if not isinstance(payload, dict):
        return None
    fields = tuple(payload.get(name) for name in PAYLOAD_KEYS)
    if not all(isinstance(value, str) for value in fields):
        return None
    try:
        for value in fields:
            value.encode("utf-8")  # JSON may spell a lone surrogate, which has no UTF-8
    except UnicodeEncodeError:
        return None
    return fields  # type: ignore[return-value]


def open_token(token: str, key: bytes) -> dict[str, str]:
    """The provenance sealed in ``token`` (the four ``PAYLOAD_KEYS``, contract order): the inverse of :func:`seal`.

    The decrypted plaintext must be byte for byte what seal() writes for the
    values it holds, ``mac`` included (compared in constant time), so a token
    verifies only when it was sealed under this key and not altered. Every
    failure raises SealError(``INVALID_TOKEN``); padding, JSON and MAC are all
    evaluated for every well-shaped token and decided together at the end.
    A key of the wrong length is a SealError of its own (the caller's error).
    """
    enc_key, mac_key = derive_keys(key)
    parts = _split(token)
    if parts is None:
        raise SealError(INVALID_TOKEN)
    ciphertext, iv = parts
    decryptor = Cipher(algorithms.AES(enc_key), modes.CBC(iv)).decryptor()
    plain, padding_ok = _strip_padding(decryptor.update(ciphertext) + decryptor.finalize())
    fields = _fields_in(plain)
    shape_ok = fields is not None
    # The MAC is computed either way, so a payload that parses costs what one that does not costs.
    expected = _payload_bytes(fields if shape_ok else _NO_FIELDS, mac_key)
    same = hmac.compare_digest(plain, expected)
    if not (padding_ok & shape_ok & same):
        raise SealError(INVALID_TOKEN)
    return dict(zip(PAYLOAD_KEYS, fields, strict=True))  # type: ignore[arg-type]


def provenance(record: Record) -> dict[str, str]:
    """The provenance ``secured`` carries for ``record``, in the contract's order (seal() adds ``mac``).

    ``fetchedAt`` is empty when the record has no fetch time (built by hand, not crawled).
    """
    return {
        "originalUrl": record.original_url,
        "webUrl": record.web_url,
        "fetchedAt": format_instant(record.fetched_at) if record.fetched_at else "",
        "contentSha256": record.content_sha256,
    }


def verify_document(path: Path, key: bytes) -> dict[str, str]:
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
    # Past this point the token is authentic: naming the field that differs leaks nothing.
    for name, value in (("webUrl", record.web_url), ("originalUrl", record.original_url)):
        if payload[name] != value:
            raise SealError(f"{path}: the token's {name} {payload[name]!r} is not the document's {value!r}")
    return payload


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.seal", description="Open and check secured tokens.")
    commands = parser.add_subparsers(dest="command", required=True)
    verify = commands.add_parser("verify", help="decrypt and authenticate a token and print its provenance")
    source = verify.add_mutually_exclusive_group(required=True)
    source.add_argument("token", nargs="?", help="the token: '<base64 ciphertext>;<base64 IV>'")
    source.add_argument("--document", type=Path, help="read the token from this document's secured")
    verify.add_argument("--key-file", type=Path, default=KEY_FILE, help=f"used when {KEY_ENV_VAR} is unset")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The command line: 0 and the provenance JSON on stdout, or 2 and a one-line error on stderr.

    Every invalid token gets the same line (``INVALID_TOKEN``), byte for byte.
    """
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
