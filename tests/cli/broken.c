// Does not compile: the CLI must report a build failure (exit 1) with the compiler's message.
void simtune_kernel(float* a) { a[0] = undeclared_name; }
