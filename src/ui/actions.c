/* Key dispatch from the action table. */
#include "config.h"

#include "ui/actions.h"

#include <string.h>

#include "ui/keys.h"

const struct ui_action_info ui_action_table[] = {
#define UI_ACTION_INFO(id, name, keys, help) { UI_ACTION_##id, name, keys, help },
	UI_ACTIONS(UI_ACTION_INFO)
#undef UI_ACTION_INFO
};
const size_t ui_action_count = sizeof ui_action_table / sizeof ui_action_table[0];

enum ui_action ui_action_for_key(int key)
{
	for (size_t i = 0; i < ui_action_count; i++) {
		const char *p = ui_action_table[i].keys;

		while (*p != '\0') {
			char name[32];
			size_t n = strcspn(p, " ");

			if (n < sizeof name) {
				memcpy(name, p, n);
				name[n] = '\0';
				if (ui_key_parse(name) == key)
					return ui_action_table[i].id;
			}
			p += n;
			p += strspn(p, " ");
		}
	}
	return UI_ACTION_NONE;
}
