//! The app started in-process on a free port over a real embedded S3 server, with one
//! account (`tester`) whose API token `http` sends on every request.

use clap::Parser;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::multipart::{Form, Part};
use server::RunningServer;
use server::config::Config;
use shared::UserName;
use shared::routes::{self, import_fields};

/// The session secret test servers sign cookies with (tests forge cookies with it).
pub const TEST_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "correct horse battery";

/// The longest any test request may take, from sending to the last byte: a request the
/// server never finishes fails its test with a timeout instead of stalling the whole run.
pub const CLIENT_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// A client whose requests end at [`CLIENT_DEADLINE`].
pub fn test_client() -> reqwest::Client {
    test_client_builder().build().unwrap()
}

/// [`test_client`] to add settings to.
pub fn test_client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder().timeout(CLIENT_DEADLINE)
}

pub struct TestApp {
    pub base: String,
    pub server: RunningServer,
    /// Signed in as `tester` with an API token.
    pub http: reqwest::Client,
    /// No credentials at all.
    pub anonymous: reqwest::Client,
    pub data_dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// With extra command-line settings, e.g. `["--max-upload-mb", "1"]`.
    pub async fn spawn_with(extra: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().unwrap();
        let mut args = vec![
            "server",
            "--addr",
            "127.0.0.1:0",
            "--storage",
            "embedded",
            "--data-dir",
            data_dir.path().to_str().unwrap(),
            "--demo-data",
            "auto",
            "--demo-sales-rows",
            "2000",
            "--session-secret",
            TEST_SECRET,
        ];
        args.extend_from_slice(extra);
        let config = Config::try_parse_from(args).unwrap();
        let server = server::start(&config).await.unwrap();
        let mut app = Self {
            base: format!("http://{}", server.address),
            server,
            http: test_client(),
            anonymous: test_client(),
            data_dir,
        };
        app.http = app.client_for("tester").await.0;
        app
    }

    /// Creates the account `name` and a token for it: a client that sends the token, and
    /// the token.
    pub async fn client_for(&self, name: &str) -> (reqwest::Client, String) {
        let user = UserName::from_input(name).unwrap();
        self.server
            .auth
            .create_account(&user, PASSWORD)
            .await
            .unwrap();
        let token = self
            .server
            .auth
            .create_token(
                &self
                    .server
                    .auth
                    .start_session(&user)
                    .await
                    .unwrap()
                    .identity,
                "tests",
            )
            .await
            .unwrap()
            .token;
        (client_with_token(&token), token)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Sends an import as `tester`.
    pub async fn import(&self, form: Form) -> reqwest::Response {
        import_with(&self.http, &self.base, form).await
    }

    pub async fn post_form(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Signs `name` in through the API (as a browser does: form, same Origin) and
    /// returns the session cookie (`name=value`).
    pub async fn sign_in_cookie(&self, name: &str) -> String {
        let response = self
            .anonymous
            .post(format!("{}/api/sign_in", self.base))
            .header("Origin", &self.base)
            .form(&[("username", name), ("password", PASSWORD)])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "signing {name} in");
        session_cookie(&response)
    }

    /// Files of multipart uploads started and not finished (s3s-fs keeps them in its folder).
    pub fn incomplete_uploads(&self) -> Vec<String> {
        storage::testing::embedded_incomplete_uploads(self.data_dir.path())
    }
}

/// A client that sends `token` on every request.
pub fn client_with_token(token: &str) -> reqwest::Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        AUTHORIZATION,
        HeaderValue::from_str(&format!("Bearer {token}")).unwrap(),
    );
    test_client_builder()
        .default_headers(headers)
        .build()
        .unwrap()
}

/// The `name=value` of the session cookie a response sets.
pub fn session_cookie(response: &reqwest::Response) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find(|value| value.starts_with("dbm_session="))
        .and_then(|value| value.split(';').next())
        .unwrap()
        .to_owned()
}

/// One call of the API with `client`: a GET, or a POST of form fields.
pub async fn call(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    let url = format!("{base}{path}");
    let request = if method == "GET" {
        client.get(url)
    } else {
        client.post(url).form(form)
    };
    request.send().await.unwrap()
}

/// A CSV file part of a multipart import.
pub fn csv_part(name: &str, content: &str) -> Part {
    Part::bytes(content.as_bytes().to_vec())
        .file_name(name.to_owned())
        .mime_str("text/csv")
        .unwrap()
}

/// The multipart form of an import of one file into `database`.
pub fn import_form(database: &str, file: &str, content: &str) -> Form {
    Form::new()
        .text(import_fields::DATABASE, database.to_owned())
        .part(import_fields::FILE, csv_part(file, content))
}

/// Sends an import as `client` (whoever it is signed in as).
pub async fn import_with(client: &reqwest::Client, base: &str, form: Form) -> reqwest::Response {
    client
        .post(format!("{base}{}", routes::IMPORT_TABLES))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// Imports one file into `database` as `client`, and checks that it worked.
pub async fn import_ok(
    client: &reqwest::Client,
    base: &str,
    database: &str,
    file: &str,
    content: &str,
) {
    let response = import_with(client, base, import_form(database, file, content)).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
}
