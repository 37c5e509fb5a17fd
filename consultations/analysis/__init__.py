"""The analysis after the close: points, themes (with offline suggestions), reactions, summaries,
the reactienota, the public page and feedback to respondents."""
