"""The TLS edge: an untrusted certificate and a redirect from https to http each end the request
with a sentence naming the cause, and are not retried."""

from __future__ import annotations

import ssl
import subprocess
from pathlib import Path

import pytest

from recommender.arxiv import ArxivClient, ArxivError
from tests.arxiv_server import RecordedArxiv


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (made by openssl) and its key."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@pytest.fixture
def https_server(certificate):
    cert, key = certificate
    server = RecordedArxiv()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server._server.socket = context.wrap_socket(server._server.socket, server_side=True)
    server.url = server.url.replace("http://", "https://")
    server.rss_url, server.api_url = server.url + "/rss/", server.url + "/api/query"
    server.start()
    yield server
    server.stop()


def test_an_untrusted_certificate_is_named_and_not_retried(https_server, fake_gate):
    https_server.route("/rss/cs.LG", "rss_cs_LG.xml")
    with ArxivClient(https_server.rss_url, https_server.api_url, gate=fake_gate) as client:
        with pytest.raises(ArxivError) as caught:
            client.announcement("cs.LG")
    message = str(caught.value)
    assert "the certificate of 127.0.0.1 is not trusted" in message and "broken connection" not in message
    assert caught.value.attempts == 1 and fake_gate.sleeps == []


def test_a_redirect_from_https_to_http_is_refused_in_those_words(https_server, fake_gate, certificate, monkeypatch):
    https_server.route("/rss/cs.LG", (302, "", {"Location": "http://127.0.0.1:1/rss/cs.LG"}))
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(certificate[0]))  # this test's certificate is trusted
    with ArxivClient(https_server.rss_url, https_server.api_url, gate=fake_gate) as client:
        with pytest.raises(ArxivError) as caught:
            client.announcement("cs.LG")
    assert "refused a redirect from https to http" in str(caught.value)
    assert "outside the hosts" not in str(caught.value) and caught.value.attempts == 1
