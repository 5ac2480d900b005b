/* backend/be_storage.c - pool and volume jobs (worker). */
#include "be_internal.h"

#include "../core/util.h"
#include "be_storage.h"

void be_storage_job(be_host *h, const be_job *j)
{
	be_post_result(h, j, false, xasprintf("Could not %s: not implemented yet", be_op_name(j->op)));
}

void be_net_job(be_host *h, const be_job *j)
{
	be_post_result(h, j, false, xasprintf("Could not %s: not implemented yet", be_op_name(j->op)));
}
