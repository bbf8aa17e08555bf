//! The HTTP client for the provider's back channel (discovery, keys, the code exchange): no
//! redirect followed, a deadline on every call, and an answer read only up to a budget. What a
//! provider sends is outside input like any other: a provider that is down, slow, redirecting or
//! sending a huge body costs a bounded wait and gives a clear error, never a hang or a 500.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use openidconnect::{http, AsyncHttpClient, HttpRequest, HttpResponse};

/// Discovery documents, key sets and token answers are a few KiB; a MiB is generous.
pub const MAX_ANSWER_BYTES: usize = 1024 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole call, from connecting to the last byte.
const CALL_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, thiserror::Error)]
pub enum BackchannelError {
    #[error("{url} did not answer: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} answered with a redirect to {to:?}, which is not followed: set the issuer to the address the provider names itself by")]
    Redirect { url: String, to: String },
    #[error("{url} sent more than {limit} bytes")]
    TooLarge { url: String, limit: usize },
}

#[derive(Clone)]
pub struct Backchannel {
    client: reqwest::Client,
    limit: usize,
}

impl Backchannel {
    pub fn new() -> Result<Backchannel, String> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(CALL_TIMEOUT)
            .user_agent(concat!("Finishline/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| format!("the SSO HTTP client could not start: {e}"))?;
        Ok(Backchannel {
            client,
            limit: MAX_ANSWER_BYTES,
        })
    }

    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, BackchannelError> {
        let (parts, body) = request.into_parts();
        let url = parts.uri.to_string();
        let unreachable = |e: reqwest::Error| BackchannelError::Unreachable {
            url: url.clone(),
            reason: if e.is_timeout() {
                format!("no answer within {} seconds", CALL_TIMEOUT.as_secs())
            } else if e.is_connect() {
                "the connection was refused or failed".to_string()
            } else {
                e.to_string()
            },
        };
        let mut answer = self
            .client
            .request(parts.method, &url)
            .headers(parts.headers)
            .body(body)
            .send()
            .await
            .map_err(unreachable)?;
        let status = answer.status();
        if status.is_redirection() {
            let to = answer
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .chars()
                .take(200)
                .collect();
            return Err(BackchannelError::Redirect { url, to });
        }
        let too_large = || BackchannelError::TooLarge {
            url: url.clone(),
            limit: self.limit,
        };
        if answer
            .content_length()
            .is_some_and(|n| n > self.limit as u64)
        {
            return Err(too_large());
        }
        let headers = answer.headers().clone();
        let mut bytes = Vec::new();
        while let Some(chunk) = answer.chunk().await.map_err(unreachable)? {
            if bytes.len() + chunk.len() > self.limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        let mut out = http::Response::new(bytes);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl<'c> AsyncHttpClient<'c> for Backchannel {
    type Error = BackchannelError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, BackchannelError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.send(request))
    }
}
