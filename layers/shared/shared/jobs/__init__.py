"""Background jobs: the one job system of the platform (typed jobs on SQS, a record per job,
exponential backoff, delays, cron, dedup keys, admin monitoring).

- :func:`shared.jobs.service.enqueue` enqueues a job; a change that owes a job adds
  ``owed(build(...))`` (:mod:`shared.jobs.spec`) to its own transaction through the outbox.
- :mod:`shared.jobs.registry`: each system registers its job types' handlers.
- :mod:`shared.jobs.worker`: what the worker function does with each message.
- :mod:`shared.jobs.records` / :mod:`shared.jobs.queues`: data access (DynamoDB; SQS, Scheduler).

Importing this package imports nothing else.
"""
