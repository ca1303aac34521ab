"""`make loadtest`: mixed traffic from every role against two instances on one PostgreSQL
database, then a reconciliation of what clients were told against what is stored.

    make loadtest                                   # 60 s, writes bench/LOADTEST.md
    make loadtest LOADTEST_ARGS="--duration 10"     # a short smoke run

Steps: an empty schema on PostgreSQL (FINANCE_LOADTEST_POSTGRES_URL, or the local cluster that
`.ci/postgres` starts), `finance db upgrade` and `finance create-admin`, two `finance serve`
instances sharing the database and the signing key, users of each role made through the API,
client threads for a fixed time and a capped number of requests, then the checks. Traffic goes
to 127.0.0.1 only and the servers are always stopped.
"""
