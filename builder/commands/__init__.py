"""The actions behind CLI subcommands that are more than a pipeline run — preview server
(`serve`), new-record scaffolding (`new`), the check against a base branch (`check --base`)
and its reviewer's summary — kept apart from the stages they use, as mkdocs keeps
`commands/` apart from `structure/`."""
