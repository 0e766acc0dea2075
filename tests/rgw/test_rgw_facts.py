"""Where Ceph RGW's Swift API differs from Swift, observed on both live servers.

Each fact is one probe, in raw HTTP where the client would hide the answer, run
against the session's local Swift and local RGW; the answer must be the one
docs/compatibility.md states for that server. So the table stays true, and a server
upgrade that changes a fact fails here first.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from airflow_provider_swift.client.rest.tempurl import temp_url
from airflow_provider_swift.testing.rgw import LocalRGW
from airflow_provider_swift.testing.server import LocalSwift

DOC = Path(__file__).resolve().parents[2] / "docs" / "compatibility.md"
SERVERS = ("swift", "rgw")
EMPTY_MD5 = hashlib.md5(b"").hexdigest()
MIB = 1024 * 1024


@dataclass
class Account:
    """One Swift account over raw HTTP: what the server answers, unprocessed."""

    storage_url: str
    token: str
    container: str

    def request(
        self,
        method: str,
        path: str = "",
        *,
        headers: Mapping[str, str] | None = None,
        data: bytes | str = b"",
    ) -> requests.Response:
        """``path`` relative to the storage URL (``/container/object?query``)."""
        return requests.request(
            method,
            self.storage_url + path,
            headers={"X-Auth-Token": self.token, **(headers or {})},
            data=data,
            timeout=60,
        )

    @property
    def root(self) -> str:
        parts = urlsplit(self.storage_url)
        return f"{parts.scheme}://{parts.netloc}"

    def upload_slo(self, name: str) -> tuple[list[dict[str, object]], str]:
        """Two segments (1 MiB and 100 bytes) and the manifest entries; the composite ETag."""
        segments = [b"a" * MIB, b"b" * 100]
        entries: list[dict[str, object]] = []
        for index, data in enumerate(segments):
            path = f"/{self.container}_segments/{name}/{index:08d}"
            etag = self.request("PUT", path, data=data).headers["ETag"].strip('"')
            entries.append({"path": path, "etag": etag, "size_bytes": len(data)})
        composite = hashlib.md5("".join(str(e["etag"]) for e in entries).encode()).hexdigest()
        return entries, composite

    def put_slo(self, name: str) -> str:
        """An SLO stored the way both servers accept (no ``ETag`` header); its ETag."""
        entries, composite = self.upload_slo(name)
        reply = self.request(
            "PUT", f"/{self.container}/{name}?multipart-manifest=put", data=json.dumps(entries)
        )
        assert reply.status_code == 201, reply.text
        return composite

    def listing_entry(self, name: str) -> dict[str, object]:
        reply = self.request("GET", f"/{self.container}?format=json&prefix={name}")
        entry: dict[str, object] = reply.json()[0]
        return entry

    def empty(self) -> None:
        """Delete both containers and everything in them (segments directly)."""
        for container in (self.container, f"{self.container}_segments"):
            listing = self.request("GET", f"/{container}?format=json")
            for entry in listing.json() if listing.status_code == 200 else []:
                self.request("DELETE", f"/{container}/{entry['name']}")
            self.request("DELETE", f"/{container}")


# -- the probes: one fact each, answered as the short value the table shows ----------------


def storage_url_path(account: Account) -> str:
    return urlsplit(account.storage_url).path


def info_path(account: Account) -> str:
    for path in ("/info", "/swift/info"):
        if requests.get(account.root + path, timeout=30).status_code == 200:
            return path
    return "none"


def short_container_name(account: Account) -> str:
    name = uuid.uuid4().hex[:2]
    status = account.request("PUT", f"/{name}").status_code
    account.request("DELETE", f"/{name}")
    return str(status)


def manifest_put_with_etag(account: Account) -> str:
    """F1: the manifest PUT carrying the (correct) composite ETag."""
    entries, composite = account.upload_slo("slo")
    return str(
        account.request(
            "PUT",
            f"/{account.container}/slo?multipart-manifest=put",
            headers={"ETag": composite},
            data=json.dumps(entries),
        ).status_code
    )


def manifest_put_answer_etag(account: Account) -> str:
    entries, composite = account.upload_slo("slo")
    reply = account.request(
        "PUT", f"/{account.container}/slo?multipart-manifest=put", data=json.dumps(entries)
    )
    return "composite" if reply.headers.get("ETag", "").strip('"') == composite else "other"


def slo_head_etag(account: Account) -> str:
    composite = account.put_slo("slo")
    etag = account.request("HEAD", f"/{account.container}/slo").headers.get("ETag", "")
    return "quoted composite" if etag == f'"{composite}"' else etag


def manifest_get_format(account: Account) -> str:
    """F2: what ``?multipart-manifest=get`` answers."""
    account.put_slo("slo")
    body = account.request("GET", f"/{account.container}/slo?multipart-manifest=get").content
    if not body:
        return "empty"
    entries = json.loads(body)
    if {"name", "hash", "bytes"} <= set(entries[0]):
        return "swift"
    if {"path", "etag", "size_bytes"} <= set(entries[0]):
        return "rgw"
    return "other"


def slo_listing_slo_etag(account: Account) -> str:
    """F3: does the listing entry of an SLO carry ``slo_etag``?"""
    account.put_slo("slo")
    return "yes" if "slo_etag" in account.listing_entry("slo") else "no"


def slo_listing_bytes(account: Account) -> str:
    """F3: an SLO's listing ``bytes``: the object's size, or its manifest's?"""
    account.put_slo("slo")
    listed = account.listing_entry("slo")["bytes"]
    size = int(account.request("HEAD", f"/{account.container}/slo").headers["Content-Length"])
    return "object size" if listed == size else "manifest size"


def slo_listing_hash(account: Account) -> str:
    """F3: an SLO's listing ``hash``."""
    composite = account.put_slo("slo")
    listed = account.listing_entry("slo")["hash"]
    if listed == composite:
        return "object ETag"
    if listed == EMPTY_MD5:
        return "empty MD5"
    manifest = account.request("GET", f"/{account.container}/slo?multipart-manifest=get")
    return "manifest MD5" if listed == hashlib.md5(manifest.content).hexdigest() else "other"


def dlo_listing_bytes(account: Account) -> str:
    """F4: a DLO's manifest lists as a zero-byte object on both."""
    account.upload_slo("dlo")
    account.request(
        "PUT",
        f"/{account.container}/dlo",
        headers={"X-Object-Manifest": f"{account.container}_segments/dlo/"},
    )
    return str(account.listing_entry("dlo")["bytes"])


def _expiring(account: Account) -> str:
    path = f"/{account.container}/expiring"
    delete_at = str(int(time.time()) + 86400)
    account.request("PUT", path, headers={"X-Delete-At": delete_at}, data=b"x")
    assert account.request("HEAD", path).headers.get("X-Delete-At") == delete_at
    return path


def post_without_delete_at(account: Account) -> str:
    """F5: a metadata POST that does not mention X-Delete-At."""
    path = _expiring(account)
    account.request("POST", path, headers={"X-Object-Meta-Color": "blue"})
    return "kept" if "X-Delete-At" in account.request("HEAD", path).headers else "removed"


def post_remove_delete_at(account: Account) -> str:
    """F5: a POST with ``X-Remove-Delete-At``."""
    path = _expiring(account)
    account.request("POST", path, headers={"X-Remove-Delete-At": "1"})
    return "kept" if "X-Delete-At" in account.request("HEAD", path).headers else "removed"


def info_tempurl_digests(account: Account) -> str:
    """F6: ``allowed_digests`` in ``/info``."""
    info = requests.get(account.root + info_path(account), timeout=30).json()
    digests = info.get("tempurl", {}).get("allowed_digests")
    return " ".join(sorted(digests)) if digests is not None else "absent"


def _tempurl_get(account: Account, digest: str) -> str:
    """The status of a GET through the project's own TempURL, signed with ``digest``."""
    account.request("PUT", f"/{account.container}/shared", data=b"shared")
    key = uuid.uuid4().hex
    # key 2 of the account, removed again: other tests may rely on the first key
    account.request("POST", "", headers={"X-Account-Meta-Temp-URL-Key-2": key})
    try:
        url = temp_url(account.storage_url, account.container, "shared", key, digest=digest)
        return str(requests.get(url, timeout=30).status_code)
    finally:
        account.request("POST", "", headers={"X-Remove-Account-Meta-Temp-URL-Key-2": "1"})


def tempurl_sha1(account: Account) -> str:
    return _tempurl_get(account, "sha1")


def tempurl_sha256(account: Account) -> str:
    return _tempurl_get(account, "sha256")


def tempurl_sha512(account: Account) -> str:
    return _tempurl_get(account, "sha512")


def put_if_none_match(account: Account) -> str:
    """F8: ``If-None-Match: *`` on a PUT over an existing object."""
    path = f"/{account.container}/taken"
    account.request("PUT", path, data=b"first")
    return str(
        account.request("PUT", path, headers={"If-None-Match": "*"}, data=b"second").status_code
    )


def copy_if_match(account: Account) -> str:
    """F8: a copy (``X-Copy-From``) whose ``If-Match`` does not match the source."""
    account.request("PUT", f"/{account.container}/source", data=b"source")
    headers = {"X-Copy-From": f"{account.container}/source", "If-Match": f'"{EMPTY_MD5}"'}
    return str(account.request("PUT", f"/{account.container}/copy", headers=headers).status_code)


def manifest_delete(account: Account) -> str:
    """``DELETE ?multipart-manifest=delete`` of an SLO: are its segments gone?"""
    account.put_slo("slo")
    reply = account.request(
        "DELETE",
        f"/{account.container}/slo?multipart-manifest=delete",
        headers={"Accept": "application/json"},
    )
    left = account.request("GET", f"/{account.container}_segments?format=json").json()
    deleted = reply.json()["Number Deleted"]
    return f"{deleted} deleted, {len(left)} left"


def bulk_delete_body(account: Account) -> str:
    """``POST ?bulk-delete``: the JSON body's counts for one present, one absent name."""
    account.request("PUT", f"/{account.container}/doomed", data=b"x")
    names = f"/{account.container}/doomed\n/{account.container}/never-was\n"
    reply = account.request(
        "POST",
        "?bulk-delete",
        data=names,
        headers={"Accept": "application/json", "Content-Type": "text/plain"},
    )
    deleted, absent = reply.json()["Number Deleted"], reply.json()["Number Not Found"]
    return f"{reply.status_code}: {deleted} deleted, {absent} not found"


def history_location(account: Account) -> str:
    """``X-History-Location`` (Swift's history-mode versioning) set by a container POST."""
    archive = f"{account.container}_segments"
    account.request("POST", f"/{account.container}", headers={"X-History-Location": archive})
    headers = account.request("HEAD", f"/{account.container}").headers
    account.request("POST", f"/{account.container}", headers={"X-Remove-History-Location": "x"})
    return "kept" if "X-History-Location" in headers else "ignored"


def dots_container_name(account: Account) -> str:
    """``PUT`` of a container named ``...``."""
    status = account.request("PUT", "/...").status_code
    account.request("DELETE", "/...")
    return str(status)


def manifest_missing_segment(account: Account) -> str:
    """Status of a manifest ``PUT`` naming a segment that does not exist."""
    entries = [{"path": f"/{account.container}_segments/nope", "etag": "0" * 32, "size_bytes": 10}]
    reply = account.request(
        "PUT", f"/{account.container}/bad?multipart-manifest=put", data=json.dumps(entries)
    )
    return str(reply.status_code)


def _signed_get(account: Account, key: str, *, tamper: bool = False) -> str:
    account.request("PUT", f"/{account.container}/shared", data=b"shared")
    url = temp_url(account.storage_url, account.container, "shared", key, digest="sha1")
    if tamper:
        url = url.replace("temp_url_expires=", "temp_url_expires=1")
    return str(requests.get(url, timeout=30).status_code)


def tempurl_container_key(account: Account) -> str:
    """A (sha1) TempURL signed with the container's ``Temp-URL-Key``."""
    account.request(
        "POST", f"/{account.container}", headers={"X-Container-Meta-Temp-URL-Key": "ck"}
    )
    return _signed_get(account, "ck")


def tempurl_tampered(account: Account) -> str:
    """A TempURL whose expiry was changed after signing (account key)."""
    account.request("POST", "", headers={"X-Account-Meta-Temp-URL-Key": "ak"})
    try:
        return _signed_get(account, "ak", tamper=True)
    finally:
        account.request("POST", "", headers={"X-Remove-Account-Meta-Temp-URL-Key": "x"})


PROBES: dict[str, Callable[[Account], str]] = {
    "storage-url": storage_url_path,
    "info-path": info_path,
    "short-container-name": short_container_name,
    "F1-manifest-put-etag": manifest_put_with_etag,
    "F1-manifest-put-answer": manifest_put_answer_etag,
    "slo-head-etag": slo_head_etag,
    "F2-manifest-get": manifest_get_format,
    "F3-listing-slo-etag": slo_listing_slo_etag,
    "F3-listing-bytes": slo_listing_bytes,
    "F3-listing-hash": slo_listing_hash,
    "F4-dlo-listing-bytes": dlo_listing_bytes,
    "F5-post-keeps-delete-at": post_without_delete_at,
    "F5-remove-delete-at": post_remove_delete_at,
    "F6-info-digests": info_tempurl_digests,
    "F6-tempurl-sha1": tempurl_sha1,
    "F6-tempurl-sha256": tempurl_sha256,
    "F6-tempurl-sha512": tempurl_sha512,
    "F8-put-if-none-match": put_if_none_match,
    "F8-copy-if-match": copy_if_match,
    "manifest-delete": manifest_delete,
    "bulk-delete": bulk_delete_body,
    "history-location": history_location,
    "dots-container-name": dots_container_name,
    "manifest-missing-segment": manifest_missing_segment,
    "tempurl-container-key": tempurl_container_key,
    "tempurl-tampered": tempurl_tampered,
}


def documented() -> dict[str, dict[str, str]]:
    """The facts table of docs/compatibility.md: fact id -> {server: value}."""
    table: dict[str, dict[str, str]] = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\|\s*`([^`]+)`\s*\|[^|]*\|\s*`([^`]*)`\s*\|\s*`([^`]*)`\s*\|", line)
        if match:
            fact, swift, rgw = match.groups()
            table[fact] = {"swift": swift, "rgw": rgw}
    return table


@pytest.fixture
def account(request: pytest.FixtureRequest) -> Iterator[Account]:
    """Account ``test`` of the server the test is parametrized with, and a fresh
    container (plus its ``_segments`` container) emptied afterwards."""
    server: LocalSwift | LocalRGW = request.getfixturevalue(
        "local_swift" if request.param == "swift" else "rgw"
    )
    login = requests.get(
        server.auth_url,
        headers={"X-Auth-User": server.user.login, "X-Auth-Key": server.user.key},
        timeout=30,
    )
    account = Account(
        login.headers["X-Storage-Url"],
        login.headers["X-Auth-Token"],
        f"facts-{uuid.uuid4().hex[:12]}",
    )
    for container in (account.container, f"{account.container}_segments"):
        assert account.request("PUT", f"/{container}").status_code in (201, 202)
    yield account
    account.empty()


@pytest.mark.parametrize(
    "account", ["swift", pytest.param("rgw", marks=pytest.mark.rgw)], indirect=True
)
@pytest.mark.parametrize("fact", list(PROBES))
def test_server_answers_as_the_compatibility_table_says(
    fact: str, account: Account, request: pytest.FixtureRequest
) -> None:
    server = request.node.callspec.params["account"]
    expected = documented().get(fact)
    assert expected is not None, f"docs/compatibility.md has no row for `{fact}`"
    assert PROBES[fact](account) == expected[server]


def test_the_table_has_no_fact_without_a_probe() -> None:
    assert set(documented()) == set(PROBES)
