/* Key names. */
#include "config.h"

#include "ui/keys.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <wchar.h>

#include "util/utf8.h"

static const struct {
	int key;
	const char *name;
} names[] = {
	{ UI_KEY_UP, "Up" },
	{ UI_KEY_DOWN, "Down" },
	{ UI_KEY_LEFT, "Left" },
	{ UI_KEY_RIGHT, "Right" },
	{ UI_KEY_PGUP, "PgUp" },
	{ UI_KEY_PGDN, "PgDn" },
	{ UI_KEY_HOME, "Home" },
	{ UI_KEY_END, "End" },
	{ UI_KEY_ENTER, "Enter" },
	{ UI_KEY_ESC, "Esc" },
	{ UI_KEY_TAB, "Tab" },
	{ UI_KEY_BTAB, "S-Tab" },
	{ UI_KEY_BACKSPACE, "Backspace" },
	{ UI_KEY_DELETE, "Delete" },
	{ UI_KEY_F1, "F1" },
	{ UI_KEY_RESIZE, "Resize" },
	{ UI_KEY_MOUSE_CLICK, "Click" },
	{ UI_KEY_WHEEL_UP, "WheelUp" },
	{ UI_KEY_WHEEL_DOWN, "WheelDown" },
	{ ' ', "Space" },
};

int ui_key_parse(const char *name)
{
	size_t len = strlen(name);
	int w;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcasecmp(name, names[i].name) == 0)
			return names[i].key;
	if (len == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z')
		return UI_KEY_CTRL(name[2]);
	if (len == 1)
		return name[0] > 0x20 && name[0] < 0x7f ? name[0] : UI_KEY_NONE;
	if (len > 1 && utf8_next(name, len, &w) == len) {
		wchar_t wc;
		mbstate_t st;

		memset(&st, 0, sizeof st);
		if (mbrtowc(&wc, name, len, &st) == len)
			return (int)wc;
	}
	return UI_KEY_NONE;
}

const char *ui_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (names[i].key == key) {
			snprintf(buf, size, "%s", names[i].name);
			return buf;
		}
	}
	if (key >= 1 && key <= 26) {
		snprintf(buf, size, "C-%c", 'a' + key - 1);
	} else if (key > 0 && key < UI_KEY_BASE && size > 4) {
		buf[utf8_encode((unsigned)key, buf)] = '\0';
	} else {
		snprintf(buf, size, "?");
	}
	return buf;
}
