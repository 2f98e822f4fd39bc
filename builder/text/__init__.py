"""Record body text, shared by the validator and the renderer so the two cannot disagree:
internal blocks and unsafe constructs (`record_body`), size and nesting limits
(`body_limits`), linear Markdown (`body_markdown`) and the one allow-list (`sanitise`)."""
