"""The content model and its declarations: what `site_config/` says a deployment's records
are (types, fields, roles, periods, populations, statistics and dashboards), read and checked
once at load, and the record every stage works on. Nothing here reads content or writes."""

from .model import ConfigError, Model, load_model

__all__ = ["ConfigError", "Model", "load_model"]
