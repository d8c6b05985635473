"""The application's services: what the wizard, the API and the import all do, written once."""
