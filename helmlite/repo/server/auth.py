"""Who may read and write a repository: Basic credentials, bearer tokens, anonymous reads.

Credentials come from flags, the environment or an htpasswd-style file (one ``user:hash`` per
line: bcrypt ``$2y$`` when the ``bcrypt`` package is installed, Apache ``$apr1$`` MD5,
``{SHA}``, or plain text as ``htpasswd -p`` writes it). Every comparison runs in constant
time over digests, an unknown user costs the same work as a wrong password, and nothing here
ever logs a credential. A verified slow hash (bcrypt) is remembered by the digest of what the
client sent, so a client that authenticates on every request pays for bcrypt once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from helmlite.errors import HelmliteError

__all__ = ["AuthConfigError", "AuthPolicy", "PasswordHash", "apr1_hash", "load_auth_file"]

REALM = "helmlite"
_VERIFIED_CACHE_SIZE = 1024


class AuthConfigError(HelmliteError):
    """An auth file or credential setting that cannot be used; names the file and line."""


def _digest(value: str | bytes) -> bytes:
    raw = value.encode("utf-8") if isinstance(value, str) else value
    return hashlib.sha256(raw).digest()


_APR1_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def apr1_hash(password: str, salt: str) -> str:
    """Apache's ``$apr1$`` MD5-crypt of ``password`` with ``salt`` (at most 8 characters used).

    Returns the full ``$apr1$salt$hash`` string, as ``htpasswd -m`` writes it.
    """
    pw, s = password.encode("utf-8"), salt[:8].encode("utf-8")
    magic = b"$apr1$"
    alternate = hashlib.md5(pw + s + pw, usedforsecurity=False).digest()
    ctx = pw + magic + s
    length = len(pw)
    while length > 0:
        ctx += alternate[: min(16, length)]
        length -= 16
    i = len(pw)
    while i:
        ctx += b"\0" if i & 1 else pw[:1]
        i >>= 1
    final = hashlib.md5(ctx, usedforsecurity=False).digest()
    for round_ in range(1000):  # the algorithm's fixed stretching
        step = pw if round_ & 1 else final
        if round_ % 3:
            step += s
        if round_ % 7:
            step += pw
        step += final if round_ & 1 else pw
        final = hashlib.md5(step, usedforsecurity=False).digest()
    out: list[str] = []
    for a, b, c in ((0, 6, 12), (1, 7, 13), (2, 8, 14), (3, 9, 15), (4, 10, 5)):
        value = (final[a] << 16) | (final[b] << 8) | final[c]
        out.extend(_APR1_ALPHABET[(value >> (6 * k)) & 0x3F] for k in range(4))
    value = final[11]
    out.extend(_APR1_ALPHABET[(value >> (6 * k)) & 0x3F] for k in range(2))
    return f"$apr1${salt[:8]}${''.join(out)}"


@dataclass(frozen=True)
class PasswordHash:
    """One stored password: ``scheme`` is ``plain``, ``sha1``, ``apr1`` or ``bcrypt``."""

    scheme: str
    value: str

    @classmethod
    def parse(cls, text: str, where: str) -> PasswordHash:
        """Classify an htpasswd hash; raises AuthConfigError for a scheme that cannot be checked."""
        if text.startswith(("$2a$", "$2b$", "$2y$")):
            try:
                import bcrypt  # noqa: F401 - optional: only needed for bcrypt entries
            except ImportError:
                raise AuthConfigError(f"{where}: bcrypt hashes need the 'bcrypt' package (pip install bcrypt)") from None
            return cls("bcrypt", text)
        if text.startswith("$apr1$"):
            if text.count("$") != 3:
                raise AuthConfigError(f"{where}: malformed $apr1$ hash")
            return cls("apr1", text)
        if text.startswith("{SHA}"):
            try:
                base64.b64decode(text[5:], validate=True)
            except binascii.Error:
                raise AuthConfigError(f"{where}: malformed {{SHA}} hash") from None
            return cls("sha1", text)
        if text.startswith(("$1$", "$5$", "$6$", "$argon2")):
            raise AuthConfigError(f"{where}: unsupported password hash (use htpasswd -B, -m or -s)")
        return cls("plain", text)

    def matches(self, password: str) -> bool:
        """True when ``password`` is this stored password; constant time for the fast schemes."""
        if self.scheme == "plain":
            return hmac.compare_digest(_digest(password), _digest(self.value))
        if self.scheme == "sha1":
            computed = "{SHA}" + base64.b64encode(hashlib.sha1(password.encode("utf-8"), usedforsecurity=False).digest()).decode()
            return hmac.compare_digest(_digest(computed), _digest(self.value))
        if self.scheme == "apr1":
            salt = self.value.split("$")[2]
            return hmac.compare_digest(_digest(apr1_hash(password, salt)), _digest(self.value))
        import bcrypt

        try:
            return bool(bcrypt.checkpw(password.encode("utf-8"), self.value.encode("ascii")))
        except ValueError:
            return False


# Checked when the user name is unknown, so a miss costs what a wrong password does.
_DUMMY = PasswordHash("plain", "x" * 32)


def load_auth_file(path: Path) -> dict[str, PasswordHash]:
    """Read an htpasswd-style file: ``user:hash`` lines, ``#`` comments and blank lines ignored.

    Returns user name → stored hash. Raises AuthConfigError for an unreadable file, a line
    without ``:``, an empty user name, a user listed twice or an unsupported hash scheme.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise AuthConfigError(f"auth file {path}: cannot be read: {getattr(err, 'strerror', None) or err}") from None
    users: dict[str, PasswordHash] = {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        where = f"auth file {path}, line {number}"
        user, sep, secret = line.partition(":")
        if not sep or not user or not secret:
            raise AuthConfigError(f"{where}: expected user:password-hash")
        if user in users:
            raise AuthConfigError(f"{where}: user {user!r} is listed twice")
        users[user] = PasswordHash.parse(secret, where)
    return users


@dataclass
class AuthPolicy:
    """The access rules of one server.

    With no users and no tokens the server is open (reads and writes), as ChartMuseum is
    without auth flags. Otherwise writes always need a valid Basic credential or bearer
    token, and reads need one too unless ``anonymous_get`` is set.
    """

    users: Mapping[str, PasswordHash] = field(default_factory=dict)
    tokens: tuple[str, ...] = ()
    anonymous_get: bool = False
    _token_digests: tuple[bytes, ...] = field(init=False, repr=False)
    _verified: dict[bytes, bool] = field(init=False, repr=False, default_factory=dict)
    _lock: threading.Lock = field(init=False, repr=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._token_digests = tuple(_digest(t) for t in self.tokens)

    def __repr__(self) -> str:  # never show secrets, not even in a traceback
        return f"AuthPolicy(users={len(self.users)}, tokens={len(self.tokens)}, anonymous_get={self.anonymous_get})"

    @property
    def enabled(self) -> bool:
        return bool(self.users or self.tokens)

    def requires_auth(self, *, write: bool) -> bool:
        """Whether a request of this kind must carry valid credentials."""
        return self.enabled and (write or not self.anonymous_get)

    def summary(self) -> str:
        """Who may do what, in one line for the start-up banner (counts only, never secrets)."""
        if not self.enabled:
            return "no authentication: anyone who can connect may read, upload and delete"
        schemes = []
        if self.users:
            schemes.append(f"Basic ({len(self.users)} user{'s' if len(self.users) != 1 else ''})")
        if self.tokens:
            schemes.append(f"Bearer ({len(self.tokens)} token{'s' if len(self.tokens) != 1 else ''})")
        reads = "anyone" if self.anonymous_get else "authenticated clients"
        return f"authentication: {', '.join(schemes)}; reads: {reads}; writes: authenticated clients"

    def challenges(self) -> list[str]:
        """The ``WWW-Authenticate`` values of a 401, one per configured scheme."""
        out = []
        if self.users:
            out.append(f'Basic realm="{REALM}"')
        if self.tokens:
            out.append(f'Bearer realm="{REALM}"')
        return out

    def authenticate(self, authorization: str | None) -> bool:
        """True when the ``Authorization`` header carries a valid credential. Never raises."""
        if not authorization:
            return False
        scheme, _, credentials = authorization.strip().partition(" ")
        scheme = scheme.lower()
        credentials = credentials.strip()
        if scheme == "bearer" and self._token_digests:
            given = _digest(credentials)
            found = False
            for expected in self._token_digests:  # no early exit: timing does not say which token
                found |= hmac.compare_digest(given, expected)
            return found
        if scheme == "basic" and self.users:
            try:
                decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError):
                return False
            user, sep, password = decoded.partition(":")
            return bool(sep) and self._check_password(user, password)
        return False

    def _check_password(self, user: str, password: str) -> bool:
        stored = self.users.get(user)
        if stored is None:
            _DUMMY.matches(password)
            return False
        if stored.scheme != "bcrypt":
            return stored.matches(password)
        key = _digest(f"{user}\0{password}")
        with self._lock:
            known = self._verified.get(key)
        if known is not None:
            return known
        ok = stored.matches(password)
        with self._lock:
            if len(self._verified) >= _VERIFIED_CACHE_SIZE:
                self._verified.clear()
            self._verified[key] = ok
        return ok
