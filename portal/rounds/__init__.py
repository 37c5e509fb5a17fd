"""Open House rounds: the buying team sets and publishes the conditions; providers read them and ask questions."""
