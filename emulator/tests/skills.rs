//! Skills and skill versions: multipart file sets and zips, SKILL.md front
//! matter, version listing, `latest`, zip download, deletes.

mod common;

use common::*;
use reqwest::multipart::Form;
use serde_json::json;

const SKILL_MD: &str = "---\nname: pdf-tools\ndescription: Work with PDF files.\n---\n\n# PDF tools\n";

fn files_form(files: &[(&str, &str)]) -> Form {
    files.iter().fold(Form::new(), |f, (path, body)| f.part("files", file_part(path, body.as_bytes().to_vec(), None)))
}

#[tokio::test]
async fn create_from_files_versions_and_download() {
    let h = start().await;
    let form = files_form(&[("pdf-tools/SKILL.md", SKILL_MD), ("pdf-tools/scripts/split.py", "print('split')\n")])
        .text("display_title", "PDF Tools")
        .text("metadata", r#"{"owner":"docs"}"#);
    let (s, skill) = h.send(h.upload("/skills", form)).await;
    assert_eq!(s, 201, "{skill}");
    let id = skill["id"].as_str().unwrap();
    assert!(id.starts_with("skill_"));
    assert_eq!(
        (skill["type"].as_str(), skill["display_title"].as_str(), skill["source"].as_str()),
        (Some("skill"), Some("PDF Tools"), Some("custom"))
    );
    assert_eq!(skill["metadata"], json!({"owner": "docs"}));
    let v1 = skill["latest_version"].as_str().unwrap().to_string();
    let latest = h.ok(h.get(&format!("/skills/{id}/versions/latest"))).await;
    assert_eq!(latest["type"], "skill_version");
    assert_eq!((latest["version"].as_str(), latest["skill_id"].as_str()), (Some(v1.as_str()), Some(id)));
    assert_eq!(
        (latest["name"].as_str(), latest["description"].as_str(), latest["directory"].as_str()),
        (Some("pdf-tools"), Some("Work with PDF files."), Some("pdf-tools"))
    );
    assert!(latest["id"].as_str().unwrap().starts_with("skillver_"));
    assert_eq!(h.ok(h.get(&format!("/skills/{id}/versions/{v1}"))).await, latest);

    // A new version with a front-matter version string.
    let md2 = "---\nname: pdf-tools\ndescription: \"Better PDFs\"\nversion: 2.0.0\n---\n";
    let (s, v2) = h.send(h.upload(&format!("/skills/{id}/versions"), files_form(&[("pdf-tools/SKILL.md", md2)]))).await;
    assert_eq!(s, 201, "{v2}");
    assert_eq!((v2["version"].as_str(), v2["description"].as_str()), (Some("2.0.0"), Some("Better PDFs")));
    assert_eq!(h.ok(h.get(&format!("/skills/{id}"))).await["latest_version"], "2.0.0");
    let dup = h.send(h.upload(&format!("/skills/{id}/versions"), files_form(&[("pdf-tools/SKILL.md", md2)]))).await;
    assert_error(&dup, 409, "conflict_error", None);
    let list = h.ok(h.get(&format!("/skills/{id}/versions"))).await;
    let versions: Vec<&str> = list["data"].as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
    assert_eq!(versions, vec!["2.0.0", v1.as_str()], "newest first");

    // Download v1 as a zip holding exactly the uploaded files.
    let r = h.get(&format!("/skills/{id}/versions/{v1}/content")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/zip");
    let zip = r.bytes().await.unwrap();
    let entries = qoder_emulator::zip::read(&zip, "zip").unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0], ("pdf-tools/SKILL.md".to_string(), SKILL_MD.as_bytes().to_vec()));
    assert_eq!(entries[1].0, "pdf-tools/scripts/split.py");

    // Deleting versions moves `latest`; deleting the skill removes everything.
    assert_eq!(h.ok(h.delete(&format!("/skills/{id}/versions/2.0.0"))).await["type"], "skill_version_deleted");
    assert_eq!(h.ok(h.get(&format!("/skills/{id}"))).await["latest_version"], v1.as_str());
    assert_error(&h.send(h.get(&format!("/skills/{id}/versions/2.0.0"))).await, 404, "not_found_error", None);
    assert_eq!(h.ok(h.delete(&format!("/skills/{id}"))).await, json!({"id": id, "type": "skill_deleted"}));
    assert_error(&h.send(h.get(&format!("/skills/{id}"))).await, 404, "not_found_error", None);
    assert_error(&h.send(h.get(&format!("/skills/{id}/versions"))).await, 404, "not_found_error", None);
    let stats = h.emu.stats();
    assert_eq!(
        (stats["objects_created"]["skill"].as_u64(), stats["objects_created"]["skill_version"].as_u64()),
        (Some(1), Some(2))
    );
}

#[tokio::test]
async fn zip_upload_filters_and_errors() {
    let h = start().await;
    let zip = qoder_emulator::zip::write(&[
        ("report/SKILL.md".into(), b"---\nname: report-writer\ndescription: Writes reports\n---\n".to_vec()),
        ("report/templates/a.md".into(), b"# A".to_vec()),
    ]);
    let form = Form::new().part("file", file_part("report.zip", zip, Some("application/zip")));
    let (s, z) = h.send(h.upload("/skills", form)).await;
    assert_eq!(s, 201, "{z}");
    assert_eq!(z["display_title"], "report-writer", "defaults to the front-matter name");
    let v = h.ok(h.get(&format!("/skills/{}/versions/latest", z["id"].as_str().unwrap()))).await;
    assert_eq!(v["directory"], "report");
    // Root-level SKILL.md: the directory comes from the name.
    let flat = h.ok(h.upload("/skills", files_form(&[("SKILL.md", "---\nname: flat\n---\n")]))).await;
    let fv = h.ok(h.get(&format!("/skills/{}/versions/latest", flat["id"].as_str().unwrap()))).await;
    assert_eq!(
        (fv["name"].as_str(), fv["directory"].as_str(), fv["description"].as_str()),
        (Some("flat"), Some("flat"), Some(""))
    );

    assert_eq!(h.ok(h.get("/skills")).await["data"].as_array().unwrap().len(), 2);
    assert_eq!(h.ok(h.get("/skills?name=flat")).await["data"].as_array().unwrap().len(), 1);
    assert_eq!(h.ok(h.get("/skills?display_title=report-writer")).await["data"][0]["id"], z["id"]);
    assert_eq!(h.ok(h.get("/skills?source=qoder")).await["data"].as_array().unwrap().len(), 0);

    let no_md = h.send(h.upload("/skills", files_form(&[("x/README.md", "hi")]))).await;
    assert_error(&no_md, 400, "invalid_request_error", Some("files"));
    assert!(no_md.1["error"]["message"].as_str().unwrap().contains("SKILL.md"));
    let dotdot = h.send(h.upload("/skills", files_form(&[("x/../SKILL.md", SKILL_MD)]))).await;
    assert_error(&dotdot, 400, "invalid_request_error", Some("files"));
    let none = h.send(h.upload("/skills", Form::new().text("display_title", "x"))).await;
    assert_error(&none, 400, "invalid_request_error", Some("files"));
    let bad_zip = Form::new().part("file", file_part("bad.zip", b"PK\x03\x04garbage".to_vec(), None));
    assert_error(&h.send(h.upload("/skills", bad_zip)).await, 400, "invalid_request_error", Some("file"));
    assert_error(
        &h.send(h.upload("/skills/skill_nope/versions", files_form(&[("a/SKILL.md", SKILL_MD)]))).await,
        404,
        "not_found_error",
        None,
    );
}
