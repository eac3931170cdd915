/* The one list of user actions: id, name, default keys and help text. It
 * feeds key dispatch and the help screen, so the two cannot disagree. */
#ifndef ECII_UI_ACTIONS_H
#define ECII_UI_ACTIONS_H

#include <stddef.h>

/* X(ID, name, keys (space-separated key names), help) */
#define UI_ACTIONS(X)                                                                         \
	X(MOVE_UP, "move-up", "k Up", "Move up")                                              \
	X(MOVE_DOWN, "move-down", "j Down", "Move down")                                      \
	X(PAGE_UP, "page-up", "PgUp C-b", "Page up")                                          \
	X(PAGE_DOWN, "page-down", "PgDn C-f", "Page down")                                    \
	X(FIRST, "first", "Home g", "Go to the first line")                                   \
	X(LAST, "last", "End G", "Go to the last line")                                       \
	X(OPEN, "open", "Enter l Right", "Open the item under the cursor")                    \
	X(BACK, "back", "q Esc h Left", "Back to the previous screen (quit on the first)")    \
	X(QUIT, "quit", "Q", "Quit ecii")                                                     \
	X(HELP, "help", "? F1", "Show the keys")                                              \
	X(SEARCH, "search", "/", "Search: type to filter, Enter keeps, Esc clears")           \
	X(SELECT, "select", "Space", "Select or unselect the collection")                     \
	X(SORT, "sort", "s", "Sort by the next column")                                       \
	X(SORT_REVERSE, "sort-reverse", "S", "Reverse the sort order")                        \
	X(NEXT_PANE, "next-pane", "Tab", "Next pane")                                         \
	X(PREV_PANE, "prev-pane", "S-Tab", "Previous pane")                                   \
	X(BUILDER, "builder", "b", "Build the cohort, with live counts")                      \
	X(RESULTS, "results", "r", "Counts per site and collection")                          \
	X(EDIT_QUERY, "edit-query", ": e", "Edit the cohort as text")                         \
	X(UNDO, "undo", "u", "Undo the last cohort change")                                   \
	X(REDO, "redo", "C-r", "Redo the cohort change undone")                               \
	X(NEGATE, "negate", "!", "Negate the criterion: exclude its values")                  \
	X(CLEAR_FIELD, "clear-field", "d Delete", "Remove the criterion")                     \
	X(ADD_GROUP, "add-group", "o", "Add an OR group to the cohort")                       \
	X(NEXT_GROUP, "next-group", "]", "Next OR group")                                     \
	X(PREV_GROUP, "prev-group", "[", "Previous OR group")                                 \
	X(MATCHING, "toggle-matching", "m", "Show only collections matching the cohort")      \
	X(EXPORT, "export", "E", "Export the results to CSV or JSON")                         \
	X(SAVE, "save", "w", "Save the cohort under a name")                                  \
	X(COHORTS, "cohorts", "L", "Saved cohorts and the history of queries run")            \
	X(REQUEST_ACCESS, "request-access", "A", "Request access to the collections")         \
	X(MY_REQUESTS, "my-requests", "M", "My access requests and drafts")                   \
	X(REVIEW, "review", "V", "Review access requests")                                    \
	X(SUBMIT, "submit", "y", "Send the completed access request")                         \
	X(POST, "post", "p", "Write a post on the request")                                   \
	X(POST_PRIVATE, "post-private", "P", "Write a private post")                          \
	X(STEP, "step", "t", "Take a step: approve, accept, abandon...")                      \
	X(PREVIEW, "preview", "v", "Show the collection's image previews")                    \
	X(NEXT_FRAME, "next-frame", "n .", "Preview: the next frame (slice)")                 \
	X(PREV_FRAME, "prev-frame", "N ,", "Preview: the previous frame")                     \
	X(WINDOW_NARROWER, "window-narrower", "<", "Preview: narrower window, more contrast") \
	X(WINDOW_WIDER, "window-wider", ">", "Preview: wider window, less contrast")          \
	X(LEVEL_DOWN, "level-down", "-", "Preview: lower the window level (brighter)")        \
	X(LEVEL_UP, "level-up", "+ =", "Preview: raise the window level (darker)")            \
	X(PRESET_BRAIN, "preset-brain", "1", "Preview: CT brain window (40/80)")              \
	X(PRESET_SOFT_TISSUE, "preset-soft-tissue", "2",                                      \
	  "Preview: CT soft tissue window (40/400)")                                          \
	X(PRESET_LUNG, "preset-lung", "3", "Preview: CT lung window (-600/1500)")             \
	X(PRESET_BONE, "preset-bone", "4", "Preview: CT bone window (400/1800)")              \
	X(WINDOW_RESET, "window-reset", "0", "Preview: the image's own window")               \
	X(REDRAW, "redraw", "C-l", "Redraw the screen")

enum ui_action {
	UI_ACTION_NONE = -1,
#define UI_ACTION_ENUM(id, name, keys, help) UI_ACTION_##id,
	UI_ACTIONS(UI_ACTION_ENUM)
#undef UI_ACTION_ENUM
	    UI_ACTION_COUNT
};

struct ui_action_info {
	enum ui_action id;
	const char *name;
	const char *keys; /* space-separated key names */
	const char *help;
};

/* The table, in its order; n_actions entries. Borrowed. */
extern const struct ui_action_info ui_action_table[];
extern const size_t ui_action_count;

/* The action bound to key, or UI_ACTION_NONE. */
enum ui_action ui_action_for_key(int key);

#endif
