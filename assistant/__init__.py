"""The Torino report assistant: cited answers from the City of Torino's International
Activities Annual Report 2024. Start at `service.build_assistant`."""
