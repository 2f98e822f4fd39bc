"""The pipeline's stages, one module each, in the order `pipeline.build()` runs them: load →
validate → history (timeline) → projection → statistics, dashboards, feeds, open data →
render → engine → verify → publish. A stage takes data and returns data."""
