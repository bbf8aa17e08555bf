//! PLACEHOLDER until the demo seeding lands (not committed).
pub struct DemoLogin {
    pub email: String,
    pub password: String,
}
pub async fn seed(
    store: &finishline_store::Store,
    now: chrono::DateTime<chrono::Utc>,
) -> anyhow::Result<DemoLogin> {
    let ws = store.create_workspace("Demo", now).await?;
    let h = finishline_store::credentials::hash_password("finishline-demo")
        .map_err(anyhow::Error::msg)?;
    store
        .create_user(
            &ws.id,
            "demo@finishline.local",
            "Demo",
            &h,
            finishline_store::UserRole::Admin,
            now,
        )
        .await?;
    Ok(DemoLogin {
        email: "demo@finishline.local".into(),
        password: "finishline-demo".into(),
    })
}
