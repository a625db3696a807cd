"""Demo data: a realistic desk with a month of history, and bulk tickets for benchmarks.

`seed.demo_seed()` backs `servicedesk demo` and `servicedesk seed`;
`bulk.tickets_bulk_create()` backs `servicedesk seed --tickets N`.
"""
