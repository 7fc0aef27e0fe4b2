"""mTLS credentials from the PEM files of an identity (``meshctl certs init|issue``): the server
requires client certificates from the mesh CA; clients verify the server's chain against the CA.

Rotated files are picked up without a restart: the server re-reads them for new connections when
their modification times change; ``ReloadingChannel`` rebuilds a client channel likewise.
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Callable, Optional, Sequence, Tuple

import grpc

from .config import TlsFiles

log = logging.getLogger("meshwork_agent")


def _stamp(files: TlsFiles) -> Tuple[float, ...]:
    out = []
    for path in (files.cert, files.key, files.ca):
        try:
            out.append(os.stat(path).st_mtime_ns)
        except OSError:
            out.append(-1)
    return tuple(out)


def _read(files: TlsFiles) -> Tuple[bytes, bytes, bytes]:
    return files.cert.read_bytes(), files.key.read_bytes(), files.ca.read_bytes()


def server_credentials(files: TlsFiles) -> grpc.ServerCredentials:
    """Server credentials requiring a client certificate, reloaded when the files change."""
    lock = threading.Lock()
    state = {"stamp": _stamp(files)}
    cert, key, ca = _read(files)

    def configuration(cert: bytes, key: bytes, ca: bytes):
        return grpc.ssl_server_certificate_configuration([(key, cert)], root_certificates=ca)

    def fetch():
        # Called by gRPC before each new handshake: None keeps the current configuration.
        with lock:
            stamp = _stamp(files)
            if stamp == state["stamp"]:
                return None
            try:
                fresh = configuration(*_read(files))
            except (OSError, ValueError) as e:
                log.warning("TLS files changed but cannot be read (keeping the old ones): %s", e)
                return None
            state["stamp"] = stamp
            log.info("reloaded TLS files %s", files.cert)
            return fresh

    return grpc.dynamic_ssl_server_credentials(
        configuration(cert, key, ca), fetch, require_client_authentication=True
    )


def channel_credentials(files: TlsFiles) -> grpc.ChannelCredentials:
    """Client credentials presenting this identity and trusting the mesh CA."""
    cert, key, ca = _read(files)
    return grpc.ssl_channel_credentials(root_certificates=ca, private_key=key, certificate_chain=cert)


CHANNEL_OPTIONS: Sequence[Tuple[str, object]] = (
    ("grpc.keepalive_time_ms", 30_000),
    ("grpc.keepalive_timeout_ms", 10_000),
    ("grpc.initial_reconnect_backoff_ms", 500),
    ("grpc.max_reconnect_backoff_ms", 5_000),
)


class ReloadingChannel:
    """A channel to ``target`` (mTLS, or plaintext when ``files`` is None) that is rebuilt when the
    TLS files change; call ``get()`` before each use."""

    def __init__(self, target: str, files: Optional[TlsFiles], wrap: Callable[[grpc.Channel], object] = lambda c: c):
        self._target = target
        self._files = files
        self._wrap = wrap
        self._lock = threading.Lock()
        self._stamp = None
        self._channel: Optional[grpc.Channel] = None
        self._wrapped = None

    def get(self):
        with self._lock:
            stamp = _stamp(self._files) if self._files else None
            if self._channel is None or stamp != self._stamp:
                old = self._channel
                if self._files is None:
                    self._channel = grpc.insecure_channel(self._target, options=CHANNEL_OPTIONS)
                else:
                    self._channel = grpc.secure_channel(
                        self._target, channel_credentials(self._files), options=CHANNEL_OPTIONS
                    )
                self._stamp = stamp
                self._wrapped = self._wrap(self._channel)
                if old is not None:
                    old.close()
            return self._wrapped

    def close(self) -> None:
        with self._lock:
            if self._channel is not None:
                self._channel.close()
                self._channel = None
