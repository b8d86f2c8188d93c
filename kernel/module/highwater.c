// SPDX-License-Identifier: GPL-2.0
/*
 * highwater.ko - replays Highwater trace steps with the real page allocator.
 *
 * Commands are written to /proc/highwater, one per line; a single write may
 * carry a whole batch, which runs inside the kernel without returning to user
 * space (so a scenario that exhausts memory needs no fork while memory is low).
 * The results are read back from the same file, one or more "HW " lines each.
 *
 *   alloc H ORDER GFP CTX COUNT   allocate COUNT blocks, keep them under handle H
 *                                 (CTX: process | softirq; GFP like GFP_ATOMIC|__GFP_NOWARN);
 *                                 after a failure also "HW failfree ZONE=N ...": each zone's free
 *                                 pages when the first request failed
 *   exhaust H GFP                 allocate order-0 pages until one fails
 *   free H COUNT                  free the COUNT most recent blocks of H (0 = all)
 *   fragment H [ZONE]             free H's order-0 pages at odd pfns (in ZONE only, if given);
 *                                 they cannot merge: each one's buddy, at the even pfn, stays allocated
 *   state                         per populated zone: counters, watermarks, free lists
 *   freeall                       free every block of every handle
 */
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/proc_fs.h>
#include <linux/uaccess.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/vmstat.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/interrupt.h>
#include <linux/completion.h>
#include <linux/string.h>

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Highwater trace replay in the real page allocator");

#define MAX_HANDLES 64
#define OUT_SIZE (256 * 1024)

struct held { struct page *page; unsigned int order; int handle; };
static struct held *blocks;
static long nblocks;
/* one entry per held block, each at least a page: sized from RAM, so small guests keep their memory */
static long max_blocks;
static char *out;
static size_t outlen;
static DEFINE_MUTEX(hw_lock);

static void emit(const char *fmt, ...)
{
	va_list args;
	if (outlen >= OUT_SIZE - 256)
		return;
	va_start(args, fmt);
	outlen += vscnprintf(out + outlen, OUT_SIZE - outlen, fmt, args);
	va_end(args);
}

struct gfp_name { const char *name; gfp_t mask; };
static const struct gfp_name gfp_names[] = {
	{ "GFP_KERNEL", GFP_KERNEL }, { "GFP_ATOMIC", GFP_ATOMIC }, { "GFP_NOWAIT", GFP_NOWAIT },
	{ "GFP_NOIO", GFP_NOIO }, { "GFP_NOFS", GFP_NOFS }, { "GFP_USER", GFP_USER },
	{ "GFP_HIGHUSER", GFP_HIGHUSER }, { "GFP_HIGHUSER_MOVABLE", GFP_HIGHUSER_MOVABLE },
	{ "GFP_DMA", GFP_DMA }, { "GFP_DMA32", GFP_DMA32 },
	{ "__GFP_NOWARN", __GFP_NOWARN }, { "__GFP_NORETRY", __GFP_NORETRY }, { "__GFP_COMP", __GFP_COMP },
	{ "__GFP_HIGH", __GFP_HIGH }, { "__GFP_ZERO", __GFP_ZERO }, { "__GFP_NOMEMALLOC", __GFP_NOMEMALLOC },
	{ "__GFP_MEMALLOC", __GFP_MEMALLOC },
	{ "__GFP_RETRY_MAYFAIL", __GFP_RETRY_MAYFAIL }, { "__GFP_DMA32", __GFP_DMA32 }, { "__GFP_DMA", __GFP_DMA },
	{ "__GFP_MOVABLE", __GFP_MOVABLE }, { "__GFP_RECLAIMABLE", __GFP_RECLAIMABLE },
	{ "__GFP_DIRECT_RECLAIM", __GFP_DIRECT_RECLAIM }, { "__GFP_KSWAPD_RECLAIM", __GFP_KSWAPD_RECLAIM },
	{ "__GFP_IO", __GFP_IO }, { "__GFP_FS", __GFP_FS },
};

/* Decodes "A|B|C" with the kernel's own macros; returns false on an unknown name. */
static bool parse_gfp(char *s, gfp_t *mask)
{
	char *tok;
	*mask = 0;
	while ((tok = strsep(&s, "|")) != NULL) {
		int i;
		bool found = false;
		for (i = 0; i < ARRAY_SIZE(gfp_names); i++) {
			if (strcmp(tok, gfp_names[i].name) == 0) {
				*mask |= gfp_names[i].mask;
				found = true;
				break;
			}
		}
		if (!found) {
			emit("HW error unknown-gfp %s\n", tok);
			return false;
		}
	}
	return true;
}

struct alloc_work {
	gfp_t gfp;
	unsigned int order;
	long count;
	int handle;
	bool until_fail;
	long ok, fail;
	/* NR_FREE_PAGES of every zone of node 0 when the first request failed (read in the failing context, so
	 * kswapd or the page cache cannot change it before the next "state") */
	unsigned long free_at_fail[MAX_NR_ZONES];
	struct completion done;
};

static void do_alloc(struct alloc_work *w)
{
	long i;
	for (i = 0; w->until_fail || i < w->count; i++) {
		struct page *p;
		if (nblocks >= max_blocks) {
			w->fail++;
			break;
		}
		p = alloc_pages(w->gfp, w->order);
		if (!p) {
			if (!w->fail) {
				int zi;
				for (zi = 0; zi < MAX_NR_ZONES; zi++)
					w->free_at_fail[zi] = zone_page_state(&NODE_DATA(0)->node_zones[zi], NR_FREE_PAGES);
			}
			w->fail++;
			if (w->until_fail)
				break;
			continue;
		}
		blocks[nblocks].page = p;
		blocks[nblocks].order = w->order;
		blocks[nblocks].handle = w->handle;
		nblocks++;
		w->ok++;
	}
}

static struct alloc_work *softirq_work;
static void hw_tasklet_fn(struct tasklet_struct *t)
{
	do_alloc(softirq_work);
	complete(&softirq_work->done);
}
static DECLARE_TASKLET(hw_tasklet, hw_tasklet_fn);

static void report_state(void)
{
	pg_data_t *pgdat = NODE_DATA(0);
	int zi;
	for (zi = 0; zi < MAX_NR_ZONES; zi++) {
		struct zone *z = &pgdat->node_zones[zi];
		unsigned long flags;
		int o, mt, j;
		if (!populated_zone(z))
			continue;
		emit("HW zone %s free=%lu min=%lu low=%lu high=%lu boost=%lu ha=%lu managed=%lu file=%lu protection=",
		     z->name, zone_page_state(z, NR_FREE_PAGES), min_wmark_pages(z), low_wmark_pages(z),
		     high_wmark_pages(z), z->watermark_boost, z->nr_reserved_highatomic, zone_managed_pages(z),
		     zone_page_state(z, NR_ZONE_INACTIVE_FILE) + zone_page_state(z, NR_ZONE_ACTIVE_FILE));
		for (j = 0; j < MAX_NR_ZONES; j++)
			emit("%s%ld", j ? "," : "", z->lowmem_reserve[j]);
		emit("\n");
		emit("HW buddy %s", z->name);
		spin_lock_irqsave(&z->lock, flags);
		for (o = 0; o < MAX_ORDER; o++) {
			for (mt = 0; mt < MIGRATE_TYPES; mt++) {
				struct list_head *pos;
				unsigned long n = 0;
				list_for_each(pos, &z->free_area[o].free_list[mt])
					n++;
				if (n)
					emit(" %d:%d:%lu", o, mt, n);
			}
		}
		spin_unlock_irqrestore(&z->lock, flags);
		emit("\n");
	}
}

static void run_command(char *line)
{
	char *argv[8];
	int argc = 0;
	char *tok;
	while ((tok = strsep(&line, " \t\n")) != NULL && argc < 8) {
		if (*tok)
			argv[argc++] = tok;
	}
	if (argc == 0)
		return;
	if (strcmp(argv[0], "state") == 0) {
		report_state();
	} else if ((strcmp(argv[0], "alloc") == 0 && argc == 6) || (strcmp(argv[0], "exhaust") == 0 && argc == 3)) {
		struct alloc_work w = { 0 };
		bool softirq = false;
		int handle;
		if (kstrtoint(argv[1], 10, &handle) || handle < 0 || handle >= MAX_HANDLES) {
			emit("HW error bad-handle\n");
			return;
		}
		w.handle = handle;
		if (argv[0][0] == 'e') {
			if (!parse_gfp(argv[2], &w.gfp))
				return;
			w.until_fail = true;
		} else {
			if (kstrtouint(argv[2], 10, &w.order) || w.order >= MAX_ORDER || !parse_gfp(argv[3], &w.gfp)
			    || kstrtol(argv[5], 10, &w.count) || w.count < 0) {
				emit("HW error bad-alloc\n");
				return;
			}
			softirq = strcmp(argv[4], "softirq") == 0;
		}
		if (softirq) {
			init_completion(&w.done);
			softirq_work = &w;
			tasklet_schedule(&hw_tasklet);
			wait_for_completion(&w.done);
		} else {
			do_alloc(&w);
		}
		emit("HW result ok=%ld fail=%ld\n", w.ok, w.fail);
		if (w.fail) {
			int zi;
			emit("HW failfree");
			for (zi = 0; zi < MAX_NR_ZONES; zi++)
				if (populated_zone(&NODE_DATA(0)->node_zones[zi]))
					emit(" %s=%lu", NODE_DATA(0)->node_zones[zi].name, w.free_at_fail[zi]);
			emit("\n");
		}
	} else if (strcmp(argv[0], "free") == 0 && argc == 3) {
		int handle;
		long count, i, freed = 0;
		if (kstrtoint(argv[1], 10, &handle) || kstrtol(argv[2], 10, &count)) {
			emit("HW error bad-free\n");
			return;
		}
		for (i = nblocks - 1; i >= 0 && (count == 0 || freed < count); i--) {
			if (blocks[i].handle != handle || !blocks[i].page)
				continue;
			__free_pages(blocks[i].page, blocks[i].order);
			blocks[i].page = NULL;
			freed++;
		}
		while (nblocks > 0 && !blocks[nblocks - 1].page)
			nblocks--;
		emit("HW result freed=%ld\n", freed);
	} else if (strcmp(argv[0], "fragment") == 0 && (argc == 2 || argc == 3)) {
		int handle;
		long i, freed = 0;
		if (kstrtoint(argv[1], 10, &handle)) {
			emit("HW error bad-fragment\n");
			return;
		}
		for (i = 0; i < nblocks; i++) {
			if (blocks[i].handle != handle || !blocks[i].page || blocks[i].order != 0
			    || !(page_to_pfn(blocks[i].page) & 1)
			    || (argc == 3 && strcmp(page_zone(blocks[i].page)->name, argv[2]) != 0))
				continue;
			__free_pages(blocks[i].page, 0);
			blocks[i].page = NULL;
			freed++;
		}
		emit("HW result freed=%ld\n", freed);
	} else if (strcmp(argv[0], "freeall") == 0) {
		long i, freed = 0;
		for (i = 0; i < nblocks; i++) {
			if (blocks[i].page) {
				__free_pages(blocks[i].page, blocks[i].order);
				blocks[i].page = NULL;
				freed++;
			}
		}
		nblocks = 0;
		emit("HW result freed=%ld\n", freed);
	} else {
		emit("HW error unknown-command %s\n", argv[0]);
	}
}

#define IN_SIZE (64 * 1024)
static ssize_t hw_write(struct file *f, const char __user *buf, size_t len, loff_t *off)
{
	char *text, *rest, *line;
	size_t n = min_t(size_t, len, IN_SIZE - 1);
	text = kvmalloc(IN_SIZE, GFP_KERNEL);
	if (!text)
		return -ENOMEM;
	if (copy_from_user(text, buf, n)) {
		kvfree(text);
		return -EFAULT;
	}
	text[n] = 0;
	mutex_lock(&hw_lock);
	outlen = 0;
	rest = text;
	while ((line = strsep(&rest, "\n")) != NULL) {
		if (*line) {
			emit("HW cmd %s\n", line);
			run_command(line);
		}
	}
	mutex_unlock(&hw_lock);
	kvfree(text);
	return n;
}

/* Reads return the output of the last write batch, from the file offset on. */
static ssize_t hw_read(struct file *f, char __user *buf, size_t len, loff_t *off)
{
	ssize_t n;
	mutex_lock(&hw_lock);
	if (*off >= outlen) {
		mutex_unlock(&hw_lock);
		return 0;
	}
	n = min_t(size_t, len, outlen - *off);
	if (copy_to_user(buf, out + *off, n)) {
		mutex_unlock(&hw_lock);
		return -EFAULT;
	}
	*off += n;
	mutex_unlock(&hw_lock);
	return n;
}

static const struct proc_ops hw_ops = { .proc_read = hw_read, .proc_write = hw_write };

static int __init hw_init(void)
{
	max_blocks = totalram_pages() + 1024;
	blocks = vzalloc(sizeof(*blocks) * max_blocks);
	out = vzalloc(OUT_SIZE);
	if (!blocks || !out)
		return -ENOMEM;
	if (!proc_create("highwater", 0666, NULL, &hw_ops))
		return -ENOMEM;
	return 0;
}

static void __exit hw_exit(void)
{
	long i;
	remove_proc_entry("highwater", NULL);
	for (i = 0; i < nblocks; i++)
		if (blocks[i].page)
			__free_pages(blocks[i].page, blocks[i].order);
	vfree(blocks);
	vfree(out);
}

module_init(hw_init);
module_exit(hw_exit);
