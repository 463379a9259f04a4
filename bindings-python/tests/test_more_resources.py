"""Files, vaults, skills, memory stores, deployments and dreams.

Every family runs against the emulator; a family it does not serve fails the test (never a skip).
Client-side behaviour — argument checks and upload sources — is tested too.
"""

from __future__ import annotations

import functools
import io
import json
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import qoder_cloud
from qoder_cloud.types import Deleted, FileMetadata, Skill, Vault, VaultCredential

from conftest import TOKEN, Emulator, new_session, unique


@functools.lru_cache(maxsize=None)
def _served(base_url: str, path: str) -> bool:
    req = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {TOKEN}"})
    try:
        urllib.request.urlopen(req, timeout=10).read()
        return True
    except urllib.error.HTTPError as e:
        body = e.read().decode(errors="replace")
        return not (e.code in (404, 405) and "No route matches" in body)


def require(emulator: Emulator, path: str) -> None:
    if not _served(emulator.base_url, path):
        pytest.fail(f"the emulator does not serve {path}")


# ---- client side (no server needed) -------------------------------------------------------


def test_upload_arguments_are_checked_before_sending(client: qoder_cloud.Client, emulator: Emulator, tmp_path: Path) -> None:
    before = emulator.requests_total()
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        client.files.upload(name="x")
    assert ei.value.param == "file"
    with pytest.raises(TypeError, match="file"):
        client.files.upload(file=12345)
    with pytest.raises(qoder_cloud.InvalidArgumentError) as nf:
        client.files.upload(file=tmp_path / "missing.txt")
    assert nf.value.param == "file"
    (tmp_path / "no-skill").mkdir()
    (tmp_path / "no-skill" / "README.md").write_text("x")
    with pytest.raises(qoder_cloud.InvalidArgumentError) as sk:
        client.skills.create(directory=tmp_path / "no-skill")
    assert sk.value.param == "directory"
    with pytest.raises(qoder_cloud.InvalidArgumentError):
        client.skills.create()
    with pytest.raises(TypeError):
        client.skills.create(files=[b"raw bytes need a path"])
    assert emulator.requests_total() == before


async def test_download_rejects_unknown_arguments(aclient: qoder_cloud.AsyncClient) -> None:
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        await aclient.files.download("file_1", bogus=True)
    assert ei.value.param == "bogus"


# ---- files ---------------------------------------------------------------------------------


async def test_files_async(aclient: qoder_cloud.AsyncClient, emulator: Emulator, tmp_path: Path) -> None:
    require(emulator, "/files")
    p = tmp_path / "notes.txt"
    p.write_bytes(b"hello from disk")
    f1 = await aclient.files.upload(file=p, metadata={"k": "v"})
    assert isinstance(f1, FileMetadata) and f1.id.startswith("file_") and f1.filename == "notes.txt"
    f2 = await aclient.files.upload(file=("mem.bin", b"\x00\x01in memory"))
    assert f2.filename == "mem.bin" and f2.size_bytes == 11
    f3 = await aclient.files.upload(file=io.BytesIO(b"file object"), name="obj.txt")
    assert (await aclient.files.retrieve(f3.id)).id == f3.id
    assert (await aclient.files.retrieve_metadata(f1.id)).filename == "notes.txt"
    assert {f1.id, f2.id, f3.id} <= {f.id async for f in aclient.files.list()}
    assert f1.downloadable
    dl = await aclient.files.download(f1.id)
    assert isinstance(dl, qoder_cloud.AsyncBinaryResponse) and dl.content_length == len(b"hello from disk")
    assert await dl.read() == b"hello from disk"
    # One class serves both clients; the async client's download iterates with `async for` only.
    async with await aclient.files.download(f1.id) as dl:
        with pytest.raises(TypeError, match="async for"):
            iter(dl)
        assert b"".join([c async for c in dl.iter_bytes()]) == b"hello from disk"
    gone = await aclient.files.delete(f2.id)
    assert isinstance(gone, Deleted) and gone.id == f2.id


def test_files_sync(client: qoder_cloud.Client, emulator: Emulator, tmp_path: Path) -> None:
    require(emulator, "/files")
    f = client.files.upload(file=("a.txt", b"sync bytes"))
    assert client.files.retrieve(f.id).size_bytes == len(b"sync bytes")
    assert f.downloadable
    out = tmp_path / "copy.txt"
    with client.files.download(f.id) as dl:
        assert dl.write_to_file(out) == len(b"sync bytes")
    assert out.read_bytes() == b"sync bytes"
    chunks = b"".join(client.files.download(f.id).iter_bytes())
    assert chunks == b"sync bytes"
    assert client.files.delete(f.id).id == f.id


async def test_session_resources(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    require(emulator, "/files")
    s = await new_session(aclient)
    require(emulator, f"/sessions/{s.id}/resources")
    f = await aclient.files.upload(file=("r.txt", b"mounted"))
    r = await aclient.sessions.resources.add(s.id, type="file", file_id=f.id)
    assert r.id.startswith("sesr_") and r.type == "file"
    assert (await aclient.sessions.resources.retrieve(r.id, session_id=s.id)).id == r.id
    assert r.id in [x.id async for x in aclient.sessions.resources.list(s.id)]
    assert (await aclient.sessions.resources.delete(r.id, session_id=s.id)).id == r.id


# ---- vaults --------------------------------------------------------------------------------


async def test_vaults_and_credentials(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    require(emulator, "/vaults")
    v = await aclient.vaults.create(display_name=unique("vault"), metadata={"a": "1"})
    assert isinstance(v, Vault) and v.id.startswith("vault_")
    assert (await aclient.vaults.retrieve(v.id)).display_name == v.display_name
    secret = "sk-" + unique()
    cred = await aclient.vaults.credentials.create(
        v.id,
        display_name="api",
        auth={"type": "static_bearer", "token": secret, "mcp_server_url": "https://mcp.example.com/sse"},
    )
    assert isinstance(cred, VaultCredential) and cred.vault_id == v.id
    assert secret not in cred.to_json() and secret not in repr(cred)  # never returned
    got = await aclient.vaults.credentials.retrieve(cred.id, vault_id=v.id)
    assert got.id == cred.id
    upd = await aclient.vaults.credentials.update(cred.id, vault_id=v.id, metadata={"rotated": "yes"})
    assert upd.metadata.get("rotated") == "yes"
    assert cred.id in [c.id async for c in aclient.vaults.credentials.list(v.id)]
    assert (await aclient.vaults.credentials.delete(cred.id, vault_id=v.id)).id == cred.id
    assert (await aclient.vaults.archive(v.id)).archived_at is not None
    assert (await aclient.vaults.delete(v.id)).id == v.id


# ---- skills --------------------------------------------------------------------------------


def test_skills(client: qoder_cloud.Client, emulator: Emulator, tmp_path: Path) -> None:
    require(emulator, "/skills")
    d = tmp_path / "my-skill"
    d.mkdir()
    (d / "SKILL.md").write_text("---\nname: my-skill\ndescription: test skill\n---\nBody.\n")
    (d / "helper.py").write_text("print('hi')\n")
    skill = client.skills.create(directory=d, display_title="My skill")
    assert isinstance(skill, Skill) and skill.id.startswith("skill_")
    assert client.skills.retrieve(skill.id).id == skill.id
    v2 = client.skills.versions.create(skill.id, files=[("my-skill/SKILL.md", (d / "SKILL.md").read_bytes())])
    versions = [x.version for x in client.skills.versions.list(skill.id)]
    assert v2.version in versions
    dl = client.skills.versions.download(v2.version, skill_id=skill.id)
    data = dl.read()
    # A zip archive of the version's files (local headers name each file).
    assert data.startswith(b"PK\x03\x04") and b"my-skill/SKILL.md" in data
    assert dl.content_length in (None, len(data))
    assert client.skills.versions.delete(v2.version, skill_id=skill.id).type == "skill_version_deleted"
    assert client.skills.delete(skill.id).type == "skill_deleted"


# ---- memory stores -------------------------------------------------------------------------


async def test_memory_stores(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    require(emulator, "/memory_stores")
    store = await aclient.memory_stores.create(name=unique("mem"), description="d")
    assert store.id.startswith("memstore_")
    mem = await aclient.memory_stores.memories.create(store.id, path="/notes/a.md", content="first")
    assert mem.path == "/notes/a.md" and mem.content_sha256
    upd = await aclient.memory_stores.memories.update(
        mem.id,
        memory_store_id=store.id,
        content="second",
        precondition={"type": "content_sha256", "content_sha256": mem.content_sha256},
    )
    assert upd.content_sha256 != mem.content_sha256
    with pytest.raises(qoder_cloud.ConflictError):
        await aclient.memory_stores.memories.update(mem.id, memory_store_id=store.id, content="x", content_sha256=mem.content_sha256)
    got = await aclient.memory_stores.memories.retrieve(mem.id, memory_store_id=store.id, view="full")
    assert got.content == "second"
    assert mem.id in [m.id async for m in aclient.memory_stores.memories.list(store.id) if m.type == "memory"]
    versions = [v async for v in aclient.memory_stores.memory_versions.list(store.id)]
    assert len(versions) >= 2
    v0 = await aclient.memory_stores.memory_versions.retrieve(versions[0].id, memory_store_id=store.id)
    assert v0.id == versions[0].id
    assert (await aclient.memory_stores.memories.delete(mem.id, memory_store_id=store.id)).id == mem.id
    assert (await aclient.memory_stores.archive(store.id)).archived_at is not None


# ---- deployments and dreams ----------------------------------------------------------------


async def test_deployments(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    require(emulator, "/deployments")
    agent = await aclient.agents.create(name=unique("a"), model="auto")
    env = await aclient.environments.create(name=unique("e"))
    dep = await aclient.deployments.create(
        name=unique("dep"),
        agent=agent.id,
        environment_id=env.id,
        initial_events=[{"type": "user.message", "content": [{"type": "text", "text": "scheduled"}]}],
    )
    assert dep.id and dep.type == "deployment"
    assert (await aclient.deployments.pause(dep.id)).status == "paused"
    assert (await aclient.deployments.unpause(dep.id)).status == "active"
    run = await aclient.deployments.run(dep.id)
    assert run.deployment_id == dep.id
    assert run.id in [r.id async for r in aclient.deployments.runs.list(dep.id)]
    assert (await aclient.deployments.runs.retrieve(run.id, deployment_id=dep.id)).id == run.id
    assert (await aclient.deployment_runs.retrieve(run.id)).id == run.id
    assert run.id in [r.id async for r in aclient.deployment_runs.list(deployment_id=dep.id)]
    assert (await aclient.deployments.archive(dep.id)).archived_at is not None


async def test_dreams(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    require(emulator, "/dreams")
    store = await aclient.memory_stores.create(name=unique("dream-store"))
    dream = await aclient.dreams.create(
        model="auto", inputs=[{"type": "memory_store", "memory_store_id": store.id}]
    )
    assert dream.type == "dream" and (await aclient.dreams.retrieve(dream.id)).id == dream.id
    assert dream.id in [d.id async for d in aclient.dreams.list()]
    assert (await aclient.dreams.cancel(dream.id)).id == dream.id
    assert json.loads((await aclient.dreams.archive(dream.id)).to_json())["id"] == dream.id


# ---- self-hosted work ----------------------------------------------------------------------


async def test_self_hosted_work(aclient: qoder_cloud.AsyncClient, emulator: Emulator) -> None:
    env = await aclient.environments.create(name=unique("self"), config={"type": "self_hosted"})
    require(emulator, f"/environments/{env.id}/work/stats")
    assert await aclient.environments.work.poll(env.id, block_ms=0) is None  # nothing queued: 204
    agent = await aclient.agents.create(name=unique("a"), model="auto")
    s = await aclient.sessions.create(agent=agent.id, environment_id=env.id)
    await aclient.sessions.events.send(s.id, events=[{"type": "user.message", "content": [{"type": "text", "text": "work"}]}])
    stats = await aclient.environments.work.stats(env.id)
    assert stats.type == "work_queue_stats" and stats.depth >= 1
    work = await aclient.environments.work.poll(env.id, block_ms=1000, worker_id="worker-1")
    assert work is not None and work.data.id == s.id and work.state == "queued"
    acked = await aclient.environments.work.ack(work.id, environment_id=env.id)
    assert acked.state == "acknowledged"
    hb = await aclient.environments.work.heartbeat(work.id, environment_id=env.id, desired_ttl_seconds=30)
    assert hb.type == "work_heartbeat" and hb.state == "running"
    assert (await aclient.environments.work.update(work.id, environment_id=env.id, metadata={"host": "h1"})).metadata == {"host": "h1"}
    assert work.id in [w.id async for w in aclient.environments.work.list(env.id)]
    stopped = await aclient.environments.work.stop(work.id, environment_id=env.id, force=True)
    assert stopped.state == "stopped"
    assert (await aclient.environments.work.retrieve(work.id, environment_id=env.id)).state == "stopped"


def test_skill_from_zip_and_memory_precondition_helper(client: qoder_cloud.Client) -> None:
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("notes/SKILL.md", "---\nname: notes\ndescription: Take notes\n---\n")
        z.writestr("notes/template.md", "# Note\n")
    skill = client.skills.create(zip=("notes.zip", buf.getvalue()))
    versions = client.skills.versions.list(skill.id)
    assert versions.data[0].name == "notes"
    with pytest.raises(qoder_cloud.InvalidArgumentError) as ei:
        client.skills.create(zip=("notes.tar", b"nope"))
    assert ei.value.param == "zip"

    store = client.memory_stores.create(name=unique("m"))
    mem = client.memory_stores.memories.create(store.id, path="/a.md", content="first")
    assert mem.content_sha256 == qoder_cloud.content_sha256("first")
    client.memory_stores.memories.update(mem.id, memory_store_id=store.id, content="second", content_sha256=qoder_cloud.content_sha256("first"))
    with pytest.raises(qoder_cloud.ConflictError):
        client.memory_stores.memories.update(mem.id, memory_store_id=store.id, content="third", content_sha256=qoder_cloud.content_sha256("first"))
