"""Every write of the access app, split by concept (inventory, grants and revocations, requests,
reviews, rules, imports). Keyword-only functions taking `actor` first; atomic; audit-logged."""
