/* SPDX-License-Identifier: GPL-2.0-or-later */
/* wizards/integ.h - the Integration Tools wizard's state machine (issue 13):
 * looks at a VM (its persistent domain XML, the running one, the agent's
 * state), offers changes with a sentence each, builds the new domain XML
 * with libxml2 and shows it as a diff before anything is made, gives the
 * guest's install command for qemu-guest-agent. No curses, no libvirt:
 * tui/wizard_integ.c draws it and sends the XML to the backend
 * (BE_OP_AGENT_APPLY); unit-tested in tests/unit/test_integ.c.
 *
 * Pages: 0 Look at the VM, 1 Changes offered, 2 The changes (diff),
 * 3 Tools for the guest; Finish applies, then the UI waits for the agent.
 *
 * Field ids for set/get (core_wizard_ops):
 *   "xml"       the persistent domain XML (required first)
 *   "live"      the running XML ("" when shut off)
 *   "agent"     enum md_agent as a number
 *   "guest_os"  the OS id the agent reported ("debian", "mswindows" ...)
 *   "os"        the guest OS as the user picked it (an index of
 *               options("os")); set when neither the domain's libosinfo
 *               metadata nor the agent says
 *   "ch.agent", "ch.disk", "ch.nic", "ch.balloon", "ch.rng": check boxes,
 *               "1" / "0"; "drivers": the virtio drivers are installed
 *               (Windows); "restart": restart the VM after the changes;
 *               "iso": Windows, the virtio-win ISO on the host (into the
 *               first CD-ROM, or a new SATA CD-ROM)
 * get only: "look" (what the wizard found), "xml_read" (the XML as set), "os_known" ("1"/"0"),
 *   "os_name", "family" ("linux", "windows", "unknown"), "offer.<ch>"
 *   (the sentence of a change, "" when not offered), "running" ("1"/"0")
 * text(): "diff", "xml" (the new persistent XML, NULL when no change),
 *   "device" (the agent channel to hot-plug into the running VM, NULL
 *   none), "command" (what to run in the guest), "summary". */
#ifndef WIZARDS_INTEG_H
#define WIZARDS_INTEG_H

#include <stdbool.h>
#include <stddef.h>

#include "../core/wizard.h"

enum wz_integ_page { WZ_INTEG_LOOK = 0, WZ_INTEG_OFFER, WZ_INTEG_DIFF, WZ_INTEG_TOOLS, WZ_INTEG__N };

enum wz_integ_change { WZ_CH_AGENT = 0, WZ_CH_DISK, WZ_CH_NIC, WZ_CH_BALLOON, WZ_CH_RNG, WZ_CH__N };
extern const char *const wz_integ_change_ids[WZ_CH__N]; /* "ch.agent" ... */

extern const core_wizard_ops wz_integ_ops;

/* A line diff of two texts: "  same", "- old", "+ new", with ctx lines of
 * context around each change and "..." between the hunks; "" when equal.
 * Caller frees. */
char *wz_integ_line_diff(const char *a, const char *b, int ctx);

/* The command that installs and starts qemu-guest-agent on an OS (an
 * osinfo or os-release id: "debian", "http://fedoraproject.org/fedora/38",
 * "alpine" ...); NULL when unknown. */
const char *wz_integ_install_command(const char *os_id);

#endif
