"""Objects in an S3 bucket under a prefix, addressed as `s3://bucket/prefix/` or as an S3 HTTPS URL.

Prefix rule: a prefix ending in `/` (or empty) is a folder. A prefix without the trailing `/` names the object
with exactly that key and/or the folder of that name, never a sibling that merely starts with the same
characters: `s3://b/crypto/01` reads `crypto/01` and `crypto/01/...` but not `crypto/01-other/...`.

HTTPS URLs of the S3 endpoints (`https://s3-<region>.amazonaws.com/<bucket>/<prefix>`, `s3.<region>...`,
`s3.amazonaws.com`, and the virtual-hosted `<bucket>.s3.<region>.amazonaws.com`) are how public buckets are
usually shared; they are read anonymously through the S3 API, so listing and pagination work as for `s3://`.
`AWS_ENDPOINT_URL(_S3)` is left to boto3, which applies it to every client it builds (moto, LocalStack).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, BinaryIO
from urllib.parse import unquote, urlsplit

import urllib3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from ingest.clients import aws_client
from ingest.errors import ConfigurationError, SourceError
from ingest.sources.base import SourceObject
from ingest.sources.byte_streams import guarded_stream
from ingest.sources.errors import SourceUnavailableError
from ingest.sources.options import SourceOptions
from ingest.sources.registry import register_source

CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60
MAX_ATTEMPTS = 5

_REGION = r"[a-z]{2}(?:-[a-z]+)+-\d+"
_PATH_STYLE_HOST = re.compile(rf"s3(?:[.-](?P<region>{_REGION}))?\.amazonaws\.com")
_VIRTUAL_HOSTED_HOST = re.compile(
    rf"(?P<bucket>[a-z0-9][a-z0-9.-]*[a-z0-9])\.s3(?:[.-](?P<region>{_REGION}))?\.amazonaws\.com"
)

_UNAVAILABLE_CODES = frozenset(
    {
        "AccessDenied",
        "AllAccessDisabled",
        "AuthorizationHeaderMalformed",
        "ExpiredToken",
        "InvalidAccessKeyId",
        "InvalidBucketName",
        "InvalidToken",
        "NoSuchBucket",
        "PermanentRedirect",
        "SignatureDoesNotMatch",
    }
)
_READ_ERRORS = (BotoCoreError, urllib3.exceptions.HTTPError, OSError)


@dataclass(frozen=True)
class S3Location:
    bucket: str
    prefix: str
    region: str | None = None


def parse_s3_uri(spec: str) -> S3Location:
    """`s3://bucket/prefix` -> bucket and prefix (the prefix may be empty: the whole bucket).

    Not a URL: the key is everything after the bucket, verbatim. S3 keys may hold any UTF-8 character, `#`, `?`
    and `%` included (https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html), so a URL parser,
    which cuts at a fragment or a query, would name another object."""
    scheme, separator, rest = spec.partition("://")
    bucket, _, prefix = rest.partition("/")
    if scheme.lower() != "s3" or not separator or not bucket:
        raise ConfigurationError(f"not an S3 URI (expected s3://bucket/prefix): {spec!r}")
    return S3Location(bucket, prefix)


def parse_s3_https_url(spec: str) -> S3Location | None:
    """Bucket, prefix and region of an S3 endpoint URL, or None for any other URL."""
    parts = urlsplit(spec)
    host = (parts.hostname or "").lower()
    path = unquote(parts.path).lstrip("/")
    if match := _VIRTUAL_HOSTED_HOST.fullmatch(host):
        return S3Location(match["bucket"], path, match["region"])
    if match := _PATH_STYLE_HOST.fullmatch(host):
        bucket, _, prefix = path.partition("/")
        if not bucket:
            raise ConfigurationError(f"S3 URL names no bucket: {spec!r}")
        return S3Location(bucket, prefix, match["region"])
    return None


def is_s3_https_url(spec: str) -> bool:
    return parse_s3_https_url(spec) is not None


def build_s3_client(*, region: str | None, anonymous: bool) -> Any:
    """One S3 client for a run: standard retry mode, bounded timeouts, unsigned when `anonymous`."""
    settings: dict[str, Any] = {
        "retries": {"mode": "standard", "max_attempts": MAX_ATTEMPTS},
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "read_timeout": READ_TIMEOUT_SECONDS,
    }
    if anonymous:
        settings["signature_version"] = UNSIGNED
    return aws_client("s3", region=region, config=Config(**settings))


class S3Source:
    """Lists and streams the objects of one bucket prefix through an injected boto3 S3 client."""

    def __init__(self, client: Any, bucket: str, prefix: str, *, uri: str | None = None) -> None:
        self._client = client
        self._bucket = bucket
        self._prefix = prefix
        self._uri = uri or f"s3://{bucket}/{prefix}"

    @property
    def uri(self) -> str:
        return self._uri

    def list_objects(self) -> Iterator[SourceObject]:
        """Keys in S3's own order (UTF-8 binary, hence sorted), folder markers skipped, one page at a time."""
        return self._objects_after("")

    def list_objects_after(self, uri: str) -> Iterator[SourceObject]:
        """The listing from the first key after `uri`'s on, asked of S3 itself: ListObjectsV2's StartAfter
        ("where you want Amazon S3 to start listing from ... after this specified key. StartAfter can be any key
        in the bucket": https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html), so a listing
        resumed after k objects reads no page before them."""
        root = f"s3://{self._bucket}/"
        if not uri.startswith(root):
            raise SourceError(f"cannot resume the listing of {self._where} after {uri}: not in that bucket")
        return self._objects_after(uri[len(root) :])

    def _objects_after(self, after: str) -> Iterator[SourceObject]:
        """Every object whose key sorts after `after` ("": all of them). The exact key of a prefix without `/`
        sorts before its folder's keys, so the order stays S3's."""
        if self._prefix and not self._prefix.endswith("/"):
            if after < self._prefix:
                yield from self._exact_object(self._prefix)
            folder = self._prefix + "/"
        else:
            folder = self._prefix
        start = {"StartAfter": after} if after else {}
        for item in self._listing(Prefix=folder, **start):
            if item["Key"].endswith("/") and item["Size"] == 0:
                continue
            yield self._object(item, item["Key"][len(folder) :])

    @contextmanager
    def open(self, obj: SourceObject) -> Iterator[BinaryIO]:
        """The object's bytes; a connection that breaks while they stream is resumed from the first byte not
        yet read (a ranged GET of the same ETag), so a network blip costs neither the object nor duplicates."""
        body = self._get(obj, offset=0)
        reopen = (lambda offset: self._get(obj, offset=offset)) if obj.version else None
        stream = guarded_stream(body, obj.uri, _READ_ERRORS, reopen=reopen, size=obj.size)
        try:
            yield stream
        finally:
            stream.close()
            body.close()

    def _get(self, obj: SourceObject, *, offset: int) -> Any:
        """The body of `obj` from byte `offset` on. With a version (ETag) the request is conditional on it: a
        resumed read can never splice two versions of an object together."""
        request: dict[str, str] = {"Bucket": self._bucket, "Key": self._key_of(obj)}
        if obj.version:
            request["IfMatch"] = f'"{obj.version}"'
        if offset:
            request["Range"] = f"bytes={offset}-"
        try:
            return self._client.get_object(**request)["Body"]
        except ClientError as exc:
            if _error_code(exc) == "PreconditionFailed":
                raise SourceError(f"{obj.uri} changed since it was listed (ETag is no longer {obj.version})") from exc
            raise SourceError(f"cannot read {obj.uri}: {_describe(exc)}") from exc
        except BotoCoreError as exc:
            raise SourceError(f"cannot read {obj.uri}: {exc}") from exc

    def _exact_object(self, key: str) -> Iterator[SourceObject]:
        for item in self._listing(Prefix=key, PaginationConfig={"MaxItems": 1}):
            if item["Key"] == key:
                yield self._object(item, key.rsplit("/", 1)[-1])

    def _listing(self, **params: Any) -> Iterator[dict[str, Any]]:
        paginator = self._client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self._bucket, **params):
                yield from page.get("Contents", ())
        except NoCredentialsError as exc:
            raise SourceUnavailableError(
                f"cannot list {self._where}: no AWS credentials found (use --no-sign-request for a public bucket)"
            ) from exc
        except ClientError as exc:
            error = SourceUnavailableError if _error_code(exc) in _UNAVAILABLE_CODES else SourceError
            raise error(f"cannot list {self._where}: {_describe(exc)}") from exc
        except BotoCoreError as exc:
            raise SourceError(f"cannot list {self._where}: {exc}") from exc

    def _object(self, item: dict[str, Any], relative_key: str) -> SourceObject:
        return SourceObject(
            uri=f"s3://{self._bucket}/{item['Key']}",
            key=relative_key,
            size=item["Size"],
            version=item["ETag"].strip('"'),
        )

    def _key_of(self, obj: SourceObject) -> str:
        root = f"s3://{self._bucket}/"
        if not obj.uri.startswith(root):
            raise SourceError(f"{obj.uri} is not in bucket {self._bucket}")
        return obj.uri[len(root) :]

    @property
    def _where(self) -> str:
        return f"bucket {self._bucket!r} prefix {self._prefix!r}"


class S3ObjectGoneError(SourceError, FileNotFoundError):
    """The object is no longer at its key (deleted since it was listed)."""


class S3ObjectChangedError(SourceError):
    """The key holds other content than the version asked for (rewritten since it was listed)."""


class S3ObjectVersion(S3Source):
    """Exactly one object at one version: what the ingest job's worker publishes. Unlike a prefix it never lists
    `key/...` too, and every read is conditional on the listed ETag (If-Match), so what is published is the
    version that was claimed, or nothing."""

    def __init__(self, client: Any, bucket: str, key: str, *, etag: str, size: int) -> None:
        super().__init__(client, bucket, key, uri=f"s3://{bucket}/{key}")
        self._claimed = SourceObject(uri=self.uri, key=key.rsplit("/", 1)[-1], size=size, version=etag)

    def list_objects(self) -> Iterator[SourceObject]:
        yield self._claimed

    def list_objects_after(self, uri: str) -> Iterator[SourceObject]:
        """The one object, unless the listing already passed it: never `key/...`, as in `list_objects`."""
        if self._claimed.uri > uri:
            yield self._claimed

    def confirm(self) -> None:
        """Raise S3ObjectGoneError or S3ObjectChangedError unless the key still holds this version, before anything
        is read. Asked of the listing, which is strongly consistent
        (https://docs.aws.amazon.com/AmazonS3/latest/userguide/Welcome.html#ConsistencyModel), not of HeadObject:
        that answers a missing key with 403 rather than 404 unless the reader may list the bucket
        (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html), and the job's worker may list only
        its source prefix (a condition a HeadObject request does not carry), so "gone" and "forbidden" could look
        alike."""
        claimed = self._claimed
        listed = next(self._exact_object(self._prefix), None)
        if listed is None:
            raise S3ObjectGoneError(f"{claimed.uri} no longer exists")
        if listed.version != claimed.version:
            raise S3ObjectChangedError(f"{claimed.uri} changed (its ETag is no longer {claimed.version})")


def open_s3_object_version(uri: str, *, etag: str, size: int, options: SourceOptions) -> S3ObjectVersion:
    """The one object an `s3://bucket/key` URI names, at the version with this ETag."""
    location = parse_s3_uri(uri)
    client = build_s3_client(region=options.region, anonymous=options.no_sign_request)
    return S3ObjectVersion(client, location.bucket, location.prefix, etag=etag, size=size)


def _error_code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _describe(exc: ClientError) -> str:
    error = exc.response.get("Error", {})
    return f"{error.get('Code', 'error')} ({error.get('Message', exc)})"


def _from_s3_uri(spec: str, options: SourceOptions) -> S3Source:
    location = parse_s3_uri(spec)
    client = build_s3_client(region=options.region, anonymous=options.no_sign_request)
    return S3Source(client, location.bucket, location.prefix, uri=spec)


def _from_s3_https_url(spec: str, options: SourceOptions) -> S3Source:
    location = parse_s3_https_url(spec)
    if location is None:
        raise ConfigurationError(f"not an S3 endpoint URL: {spec!r}")
    client = build_s3_client(region=location.region or options.region, anonymous=True)
    return S3Source(client, location.bucket, location.prefix, uri=spec)


register_source("s3", _from_s3_uri, schemes=("s3",))
register_source("s3-https", _from_s3_https_url, schemes=("https", "http"), accepts=is_s3_https_url)
