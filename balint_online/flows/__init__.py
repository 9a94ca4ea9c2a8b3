"""What a change causes, step by step: the one place a newcomer reads to see a change's consequences.

A feature's services change their own state and flush; a flow calls them in order, each step
visible, inside the caller's unit of work (the request, job or command that commits). The flows
sit above the features they call (enrollment, pricing, invoicing, rotation, calendar, video) and below the
pages and endpoints that call them.

No step is allowed to fail quietly. The failure that can be expected, no rotation keeping every
guarantee, is not an error (rotation.services.refresh keeps the plan and tells the leaders);
anything else is raised and undoes the whole change with it: the request answers 500 and the
error is logged with its traceback, a job tries again on its next run.
"""
