//! Layering: defaults, then the optional TOML file, then the environment.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::Config;

/// Why the configuration was refused. Every message names the key (or variable) at fault and never a
/// secret value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration file {path}: {source}")]
    File { path: PathBuf, source: config::ConfigError },
    /// A value of the wrong type or an unknown key, as reported by the loader (it names the key).
    #[error("invalid configuration: {0}")]
    Load(config::ConfigError),
    #[error("invalid configuration: {key} {reason}")]
    Invalid { key: &'static str, reason: String },
}

/// The variable that points at the TOML file; it is not itself a configuration key.
pub const CONFIG_PATH_VAR: &str = "ENHANCER_CONFIG";
const ENV_PREFIX: &str = "ENHANCER";

impl Config {
    /// Loads from `ENHANCER_CONFIG` (if set) and the process environment, then validates.
    pub fn load() -> Result<Config, ConfigError> {
        let env: HashMap<String, String> = std::env::vars().collect();
        let file = env.get(CONFIG_PATH_VAR).map(PathBuf::from);
        Config::load_from(file.as_deref(), env)
    }

    /// Loads from an explicit file and variable set, so tests need not touch the process environment.
    /// Only `ENHANCER_*` variables are read.
    pub fn load_from(file: Option<&Path>, env: HashMap<String, String>) -> Result<Config, ConfigError> {
        let mut builder = config::Config::builder();
        if let Some(path) = file {
            // A named file that is missing is an error: silently running on defaults would hide a typo.
            builder = builder.add_source(config::File::from(path).format(config::FileFormat::Toml).required(true));
        }
        let env: config::Map<String, String> =
            env.into_iter().filter(|(key, _)| key.starts_with("ENHANCER_") && key != CONFIG_PATH_VAR).collect();
        builder = builder.add_source(
            config::Environment::with_prefix(ENV_PREFIX)
                // `ENHANCER_MASTER_KEY` -> `master_key`, `ENHANCER_DATABASE__URL` -> `database.url`.
                .prefix_separator("_")
                .separator("__")
                .ignore_empty(true)
                .source(Some(env)),
        );
        let built = builder.build().map_err(|source| match file {
            Some(path) => ConfigError::File { path: path.to_owned(), source },
            None => ConfigError::Load(source),
        })?;
        let config: Config = built.try_deserialize().map_err(ConfigError::Load)?;
        config.validate()?;
        Ok(config)
    }
}
