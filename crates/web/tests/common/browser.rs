//! Driving Debian's Chromium through chromedriver, for the browser tests: without Chromium or
//! chromedriver a test says SKIP loudly and passes, unless `FINISHLINE_REQUIRE_BROWSER=1`.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn chromedriver_path() -> Option<String> {
    ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| (*p).to_string())
}

/// chromedriver, started by the test and killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The driver, or `None` (after a loud SKIP) when the browser is missing and not required.
pub async fn driver(test: &str) -> Option<Driver> {
    let required = std::env::var("FINISHLINE_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let path = chromedriver_path();
    if !std::path::Path::new(CHROMIUM).exists() || path.is_none() {
        assert!(
            !required,
            "FINISHLINE_REQUIRE_BROWSER=1 but {CHROMIUM} or chromedriver is missing \
             (apt-get install -y chromium chromium-driver)"
        );
        eprintln!(
            "\n*** SKIP {test}: {CHROMIUM} or chromedriver is missing; install chromium and \
             chromium-driver to run the browser tests ***\n"
        );
        return None;
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let child = Command::new(path.unwrap())
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let url = format!("http://127.0.0.1:{port}");
    let start = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "chromedriver did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Some(Driver { child, url })
}

/// A fresh browser session (its own profile, so its own cookies).
pub async fn browser(d: &Driver, width: u32, height: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     format!("--window-size={width},{height}"), "--hide-scrollbars"]
        }),
    );
    ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&d.url)
        .await
        .unwrap()
}

/// Waits until the page's text contains `text`; panics with the page text otherwise.
pub async fn wait_text(c: &Client, text: &str) -> String {
    let start = Instant::now();
    loop {
        let body = page_text(c).await;
        if body.contains(text) {
            return body;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited for {text:?} on {}; the page says:\n{body}",
            c.current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

pub async fn page_text(c: &Client) -> String {
    match c.find(Locator::Css("body")).await {
        Ok(b) => b.text().await.unwrap_or_default(),
        Err(_) => String::new(),
    }
}

pub async fn css(c: &Client, selector: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(selector))
        .await
        .unwrap_or_else(|e| panic!("no element {selector}: {e}"))
}

pub async fn fill(c: &Client, selector: &str, text: &str) {
    let e = css(c, selector).await;
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

pub async fn login(c: &Client, base: &str, email: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "input[name=email]", email).await;
    fill(c, "input[name=password]", password).await;
    css(c, "form[action='/login'] button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    wait_text(c, "Portfolio").await;
}

/// A member invites a customer contact from the project page at `project_url` (the person whose
/// option value is `person`, or the first one offered), and gets the link shown once.
pub async fn invite(member: &Client, project_url: &str, person: Option<&str>) -> String {
    member.goto(&format!("{project_url}#portal")).await.unwrap();
    let select = css(member, "form[action$='/invitations'] select[name=person]").await;
    match person {
        Some(value) => select.select_by_value(value).await.unwrap(),
        None => select.select_by_index(1).await.unwrap(),
    };
    css(member, "form[action$='/invitations'] button")
        .await
        .click()
        .await
        .unwrap();
    wait_text(member, "shown only once").await;
    css(member, "#invite-link")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap()
}

/// Opens an invitation link in a browser of its own and joins the portal with it.
pub async fn join_portal(d: &Driver, link: &str, width: u32, height: u32) -> Client {
    let customer = browser(d, width, height).await;
    customer.goto(link).await.unwrap();
    css(&customer, "form[action='/portal/join'] button")
        .await
        .click()
        .await
        .unwrap();
    // Joined once the portal's home has loaded: a navigation started before that would be
    // overtaken by the join's redirect.
    let start = Instant::now();
    loop {
        let url = customer.current_url().await.unwrap();
        if url.path() == "/portal" {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "the join did not reach the portal: {url}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    customer
}

/// Clicks as a person does: the control brought to the middle of the screen first, clear of
/// the data page's sticky Submit bar.
pub async fn click(c: &Client, selector: &str) {
    let e = css(c, selector).await;
    c.execute(
        "arguments[0].scrollIntoView({block: 'center'})",
        vec![serde_json::to_value(&e).unwrap()],
    )
    .await
    .unwrap();
    e.click().await.unwrap();
}
