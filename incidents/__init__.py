"""The domain: the core (models, db, config, exceptions, audit, service, steps) and one room per stage."""
