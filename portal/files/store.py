"""Where the bytes of uploaded files live: a local folder or an S3-compatible bucket.

Keys are random and files are written completely before they count: a half-written upload
never becomes visible under its key. Files written during a request are forgotten when the
request commits and deleted when it rolls back, so a failed request leaves no file behind.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_request_context


class FileStoreError(RuntimeError):
    """The file store could not do what was asked (disk full, bucket unreachable, ...)."""


class Backend(Protocol):
    """What every storage back-end offers."""

    def put(self, key: str, stream: BinaryIO) -> None: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...


class LocalBackend:
    """Files in a folder outside the web root, two levels of sub-folders by key."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        if not key.isalnum():
            raise FileStoreError("invalid key")
        return self.root / key[:2] / key[2:4] / key

    def put(self, key: str, stream: BinaryIO) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Write beside the target and rename, so the key never points at half a file.
            with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, prefix=".upload-") as temporary:
                shutil.copyfileobj(stream, temporary, length=1024 * 1024)
                temporary.flush()
                os.fsync(temporary.fileno())
            os.replace(temporary.name, path)
        except OSError as error:
            if "temporary" in locals():
                Path(temporary.name).unlink(missing_ok=True)
            raise FileStoreError(str(error)) from error

    def open(self, key: str) -> BinaryIO:
        try:
            return self._path(key).open("rb")
        except OSError as error:
            raise FileStoreError(str(error)) from error

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()


class S3Backend:
    """Files as objects in an S3-compatible bucket (AWS, MinIO, Ceph, ...)."""

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None, client=None):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url)

    def _name(self, key: str) -> str:
        return self.prefix + key

    def put(self, key: str, stream: BinaryIO) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.upload_fileobj(stream, self.bucket, self._name(key))
        except (BotoCoreError, ClientError) as error:
            raise FileStoreError(str(error)) from error

    def open(self, key: str) -> BinaryIO:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._name(key))["Body"]
        except (BotoCoreError, ClientError) as error:
            raise FileStoreError(str(error)) from error

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._name(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._name(key))
        except ClientError:
            return False
        return True


def backend_for(setting: str, instance_path: str, endpoint_url: str | None = None) -> Backend:
    """Build the back-end a PORTAL_FILE_STORE value names: "local", a folder, or s3://bucket/prefix."""
    if setting == "local":
        return LocalBackend(Path(instance_path) / "files")
    if setting.startswith("s3://"):
        parts = urlsplit(setting)
        return S3Backend(parts.netloc, parts.path, endpoint_url=endpoint_url)
    return LocalBackend(setting)


class FileStore:
    """The application's file store. Like the other extensions it keeps nothing of an app on
    itself: each app's back-end lives in its app.extensions, so two apps never share files."""

    def init_app(self, app: Flask) -> None:
        """Choose the app's back-end from its settings."""
        settings = app.config["PORTAL_SETTINGS"]
        app.extensions["file_store"] = self
        app.extensions["file_store.backend"] = backend_for(
            settings.file_store, app.instance_path, settings.s3_endpoint_url
        )

    @property
    def backend(self) -> Backend:
        """The back-end of the current app."""
        return current_app.extensions["file_store.backend"]

    @staticmethod
    def new_key() -> str:
        """Return a fresh random key."""
        return secrets.token_hex(20)

    def put(self, stream: BinaryIO) -> str:
        """Store the stream under a new key and return it; undone if the request fails."""
        key = self.new_key()
        self.backend.put(key, stream)
        if has_request_context():
            g.setdefault("_uncommitted_file_keys", []).append(key)
        return key

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading."""
        return self.backend.open(key)

    def delete(self, key: str) -> None:
        """Remove a stored file."""
        self.backend.delete(key)

    def exists(self, key: str) -> bool:
        """Tell whether a key holds a file."""
        return self.backend.exists(key)

    def request_committed(self) -> None:
        """The files written in this request now belong to committed rows."""
        g.pop("_uncommitted_file_keys", None)

    def request_rolled_back(self) -> None:
        """Delete the files written in a request whose rows were rolled back."""
        for key in g.pop("_uncommitted_file_keys", []):
            try:
                self.backend.delete(key)
            except Exception:  # noqa: BLE001 - cleaning up must not hide the original error
                pass
