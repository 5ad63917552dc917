/** The seed thread's cases as named action sequences, shared by every test that runs a system against them. */
package dev.bitmig.model.scenario;
