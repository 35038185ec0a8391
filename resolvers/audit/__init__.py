"""The audit trail as its readers see it: queries over the chain that ``resolvers.core.audit`` appends to."""
