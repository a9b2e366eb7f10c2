// Linked with every object of the engine library and nothing else (whole archive): an
// engine file that calls into the plugins, the CLI or the agent fails this link.
int main() { return 0; }
