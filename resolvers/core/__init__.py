"""The shared kernel of the service layer: unit of work, errors, validation, lifecycle, audit
chain, outbox, pagination, i18n, money, clock and working days. No domain imports it back."""
