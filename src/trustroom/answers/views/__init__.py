"""Pages of the answer bank (`bank`) and of questionnaires (`questionnaires`)."""
