"""HTTP layer of the Qualys client: safe XML parsing, JSON paging styles and error envelopes."""
