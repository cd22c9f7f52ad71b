//! Imported knowledge-base articles: a file's fields validated into an [`ArticleRow`]; the write is
//! [`corpus::import::article`](crate::corpus::import::article).

use crate::corpus::import::ArticleRow;

use super::fields::Fields;

pub const FIELDS: &[&str] = &["article_id", "title", "body", "url"];
pub const REQUIRED: &[&str] = &["article_id", "title"];

pub fn validate(fields: &Fields) -> Result<ArticleRow, String> {
    fields.check_known(FIELDS)?;
    Ok(ArticleRow {
        article_id: fields.id("article_id")?,
        title: fields.required("title")?.to_owned(),
        body: fields.owned("body").unwrap_or_default(),
        url: fields.url("url")?,
    })
}
