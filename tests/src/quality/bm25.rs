//! The baseline: plain Okapi BM25 (k1 = 1.2, b = 0.75) with the simplest tokenization (lower case, split on
//! anything that is not a letter or digit; no stemming, no stop words), over the same documents.

use std::collections::HashMap;

const K1: f64 = 1.2;
const B: f64 = 0.75;

pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).map(str::to_lowercase).collect()
}

#[derive(Debug)]
pub struct Bm25 {
    ids: Vec<String>,
    docs: Vec<HashMap<String, f64>>,
    lengths: Vec<f64>,
    average_length: f64,
    document_frequency: HashMap<String, f64>,
}

impl Bm25 {
    /// `documents` are (id, text) pairs.
    pub fn new(documents: impl IntoIterator<Item = (String, String)>) -> Bm25 {
        let mut index = Bm25 {
            ids: Vec::new(),
            docs: Vec::new(),
            lengths: Vec::new(),
            average_length: 0.0,
            document_frequency: HashMap::new(),
        };
        for (id, text) in documents {
            let mut frequencies = HashMap::new();
            let words = tokens(&text);
            for word in &words {
                *frequencies.entry(word.clone()).or_insert(0.0) += 1.0;
            }
            for word in frequencies.keys() {
                *index.document_frequency.entry(word.clone()).or_insert(0.0) += 1.0;
            }
            index.ids.push(id);
            index.lengths.push(words.len() as f64);
            index.docs.push(frequencies);
        }
        index.average_length = index.lengths.iter().sum::<f64>() / index.lengths.len().max(1) as f64;
        index
    }

    /// Document ids by descending score, `exclude` left out, documents scoring zero left out.
    pub fn search(&self, query: &str, exclude: &str, k: usize) -> Vec<String> {
        let n = self.docs.len() as f64;
        let mut query_terms = tokens(query);
        query_terms.sort();
        query_terms.dedup();
        let mut scored: Vec<(f64, &str)> = Vec::new();
        for ((id, doc), length) in self.ids.iter().zip(&self.docs).zip(&self.lengths) {
            if id == exclude {
                continue;
            }
            let mut score = 0.0;
            for term in &query_terms {
                let (Some(tf), Some(df)) = (doc.get(term), self.document_frequency.get(term)) else { continue };
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                score += idf * tf * (K1 + 1.0) / (tf + K1 * (1.0 - B + B * length / self.average_length));
            }
            if score > 0.0 {
                scored.push((score, id));
            }
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(k).map(|(_, id)| id.to_owned()).collect()
    }
}
