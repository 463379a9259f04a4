//! Files and skills end to end: uploads from a path (streamed), directories and zips; downloads
//! to memory, a writer and a path; the memory precondition helper.

use qoder_cloud::download::DownloadBody;
use qoder_cloud::memory::content_sha256;
use qoder_cloud::upload::{skill_files_from_dir, UploadSource};
use qoder_cloud::ErrorKind;
use qoder_tests::TestEnv;
use serde_json::json;

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("qoder-{tag}-{}-{:?}", std::process::id(), std::time::SystemTime::now()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn upload_from_path_and_download_three_ways() {
    let t = TestEnv::start().await;
    let dir = temp_dir("files");
    let src = dir.join("report.txt");
    let content: Vec<u8> = (0..300_000u32).flat_map(|i| i.to_le_bytes()).collect();
    std::fs::write(&src, &content).unwrap();
    let f = t
        .client
        .upload_file(UploadSource::Path(src.clone()), json!({"metadata": {"k": "v"}}), Default::default())
        .await
        .unwrap();
    assert_eq!(f.value["size_bytes"], content.len());
    assert_eq!(f.value["filename"], "report.txt");
    let id = f.value["id"].as_str().unwrap().to_string();

    let bytes = t.client.download_file(&id, Default::default()).await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], &content[..]);
    let mut sink: Vec<u8> = Vec::new();
    let n = t.client.download_file(&id, Default::default()).await.unwrap().write_to(&mut sink).await.unwrap();
    assert_eq!(n as usize, content.len());
    assert_eq!(sink, content);
    let out = dir.join("copy.bin");
    t.client.download_file(&id, Default::default()).await.unwrap().save(&out).await.unwrap();
    assert_eq!(std::fs::read(&out).unwrap(), content);

    // The bindings' read-once body: a chunk, then the rest; then nothing more to read.
    let body = DownloadBody::new(t.client.download_file(&id, Default::default()).await.unwrap());
    assert_eq!(body.content_length, Some(content.len() as u64));
    let first = body.next_chunk().await.unwrap().expect("a first chunk");
    let rest = body.bytes().await.unwrap();
    assert_eq!([&first[..], &rest[..]].concat(), content);
    assert_eq!(body.next_chunk().await.unwrap(), None, "read to the end");
    assert_eq!(body.bytes().await.unwrap_err().kind(), ErrorKind::InvalidArgument, "consumed");
    assert_eq!(body.save(&dir.join("late.bin")).await.unwrap_err().kind(), ErrorKind::InvalidArgument);
    let closed = DownloadBody::new(t.client.download_file(&id, Default::default()).await.unwrap());
    closed.close();
    assert_eq!(closed.next_chunk().await.unwrap(), None, "closed before reading");
    assert!(!dir.join("late.bin").exists(), "a refused save writes nothing");

    // Not downloadable → 403; deleted → 410 (a not-found kind).
    let hidden = t
        .client
        .upload_file(
            UploadSource::Bytes { data: "x".into(), filename: "h.txt".into() },
            json!({"metadata": {"emulator.downloadable": "false"}}),
            Default::default(),
        )
        .await
        .unwrap();
    let e = t.client.download_file(hidden.value["id"].as_str().unwrap(), Default::default()).await.unwrap_err();
    assert_eq!((e.kind(), e.status()), (ErrorKind::PermissionDenied, Some(403)));
    t.client.files().delete(&id, json!({})).await.unwrap();
    let e = t.client.download_file(&id, Default::default()).await.unwrap_err();
    assert_eq!(e.status(), Some(410));

    // Client-side limits: a missing path is a typed argument error and sends nothing.
    let before = t.stats()["requests_total"].clone();
    let e = t
        .client
        .upload_file(UploadSource::Path(dir.join("missing.bin")), json!({}), Default::default())
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some("file")));
    assert_eq!(t.stats()["requests_total"], before);
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn skills_from_a_directory_and_from_a_zip() {
    let t = TestEnv::start().await;
    let dir = temp_dir("skills").join("pdf-tools");
    std::fs::create_dir_all(dir.join("scripts")).unwrap();
    std::fs::write(dir.join("SKILL.md"), "---\nname: pdf-tools\ndescription: Work with PDFs\n---\n# PDF tools\n")
        .unwrap();
    std::fs::write(dir.join("scripts/extract.py"), "print('hi')\n").unwrap();
    let files = skill_files_from_dir(&dir).unwrap();
    assert_eq!(
        files.iter().map(|f| f.path.as_str()).collect::<Vec<_>>(),
        vec!["pdf-tools/SKILL.md", "pdf-tools/scripts/extract.py"]
    );
    let skill = t.client.upload_skill(None, files, json!({"display_title": "PDF"}), Default::default()).await.unwrap();
    let sid = skill.value["id"].as_str().unwrap().to_string();
    let v = t.client.skills().versions(&sid, json!({})).await.unwrap();
    assert_eq!(v.data[0].name.as_deref(), Some("pdf-tools"), "front matter parsed");
    assert_eq!(v.data[0].description.as_deref(), Some("Work with PDFs"));

    let zip = qoder_emulator::zip::write(&[
        ("notes/SKILL.md".into(), b"---\nname: notes\ndescription: Take notes\n---\n".to_vec()),
        ("notes/template.md".into(), b"# Note\n".to_vec()),
    ]);
    let z = t
        .client
        .upload_skill_zip(
            None,
            UploadSource::Bytes { data: zip.into(), filename: "notes.zip".into() },
            json!({}),
            Default::default(),
        )
        .await
        .unwrap();
    let zid = z.value["id"].as_str().unwrap().to_string();
    let zv = t.client.skills().versions(&zid, json!({})).await.unwrap();
    let version = zv.data[0].version.clone();
    let archive =
        t.client.download_skill_version(&zid, &version, Default::default()).await.unwrap().bytes().await.unwrap();
    let entries = qoder_emulator::zip::read(&archive, "content").unwrap();
    assert!(
        entries.iter().any(|(p, b)| p.ends_with("template.md") && b == b"# Note\n"),
        "round trip through the server"
    );

    let e = t
        .client
        .upload_skill_zip(
            None,
            UploadSource::Bytes { data: "nope".into(), filename: "notes.tar".into() },
            json!({}),
            Default::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.param()), (ErrorKind::InvalidArgument, Some("zip")));
}

#[tokio::test]
async fn memory_precondition_helper_matches_the_server() {
    let t = TestEnv::start().await;
    let store = t.client.call("memory_stores.create", json!({"name": "m"}), Default::default()).await.unwrap();
    let msid = store.value["id"].as_str().unwrap();
    let mem = t
        .client
        .call(
            "memory_stores.memories.create",
            json!({"memory_store_id": msid, "path": "/a.md", "content": "first"}),
            Default::default(),
        )
        .await
        .unwrap();
    assert_eq!(mem.value["content_sha256"], content_sha256("first"));
    let mid = mem.value["id"].as_str().unwrap();
    // Update with the hash of what we read; a second writer with the stale hash loses.
    let args = json!({"memory_store_id": msid, "memory_id": mid, "content": "second", "precondition": {"type": "content_sha256", "content_sha256": content_sha256("first")}});
    t.client.call("memory_stores.memories.update", args.clone(), Default::default()).await.unwrap();
    let e = t.client.call("memory_stores.memories.update", args, Default::default()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Conflict);
}
