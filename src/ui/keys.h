/* Keys as ecii sees them: a Unicode code point, or one of the named keys
 * below (beyond Unicode). Names ("j", "Down", "C-r", "Enter") are used by
 * the action table, the help screen and headless scripts. No curses here. */
#ifndef ECII_UI_KEYS_H
#define ECII_UI_KEYS_H

#include <stddef.h>

enum {
	UI_KEY_NONE = 0,
	UI_KEY_BASE = 0x110000,
	UI_KEY_UP,
	UI_KEY_DOWN,
	UI_KEY_LEFT,
	UI_KEY_RIGHT,
	UI_KEY_PGUP,
	UI_KEY_PGDN,
	UI_KEY_HOME,
	UI_KEY_END,
	UI_KEY_ENTER,
	UI_KEY_ESC,
	UI_KEY_TAB,
	UI_KEY_BTAB,
	UI_KEY_BACKSPACE,
	UI_KEY_DELETE,
	UI_KEY_F1,
	UI_KEY_RESIZE,
	UI_KEY_MOUSE_CLICK, /* with ui_mouse_y/x set by the backend */
	UI_KEY_WHEEL_UP,
	UI_KEY_WHEEL_DOWN,
};

/* Control keys are their code points: C-a is 1 ... C-z is 26. */
#define UI_KEY_CTRL(c) ((c)&0x1f)

/* Parses one key name: a single character, "Space", "Up", "C-x", ...
 * Returns the key, or UI_KEY_NONE if the name is not known. */
int ui_key_parse(const char *name);
/* Writes the key's name into buf (at least 16 bytes) and returns buf. */
const char *ui_key_name(int key, char *buf, size_t size);

#endif
